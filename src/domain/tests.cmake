# Unit tests of the domain layer (included by tests/CMakeLists.txt): services on a real
# SqliteStore on ":memory:".
orgd_add_test(NAME domain_unit_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/domain/membership_service_test.cc
          ${PROJECT_SOURCE_DIR}/src/domain/feature_flag_service_test.cc
          ${PROJECT_SOURCE_DIR}/src/domain/user_service_test.cc
          # area:users-domain-tests
          ${PROJECT_SOURCE_DIR}/src/domain/role_service_test.cc
          # area:roles-domain-tests
          ${PROJECT_SOURCE_DIR}/src/domain/resource_service_test.cc
          ${PROJECT_SOURCE_DIR}/src/domain/application_service_test.cc
          # area:resources-domain-tests
          # area:members-domain-tests
          ${PROJECT_SOURCE_DIR}/src/domain/jit_service_test.cc
          # area:connections-domain-tests
          ${PROJECT_SOURCE_DIR}/src/domain/organization_settings_service_test.cc
          ${PROJECT_SOURCE_DIR}/src/domain/list_cache_test.cc
          # The dialects' memo of kept pages' JSON (header-only), beside the cache of the pages.
          ${PROJECT_SOURCE_DIR}/src/api/page_render_memo_test.cc
          # area:settings-domain-tests
  DEPS orgd_domain orgd_store_sql orgd_store_sqlite)
