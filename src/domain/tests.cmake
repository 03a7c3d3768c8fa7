# Unit tests of the domain layer (included by tests/CMakeLists.txt): services on a real
# SqliteStore on ":memory:".
orgd_add_test(NAME domain_unit_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/domain/membership_service_test.cc
          ${PROJECT_SOURCE_DIR}/src/domain/feature_flag_service_test.cc
  DEPS orgd_domain orgd_store_sql orgd_store_sqlite)
