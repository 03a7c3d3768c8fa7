# Unit tests of the auth layer. Included from tests/CMakeLists.txt.
orgd_add_test(NAME auth_unit_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/jwt_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/secret_hash_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/scopes_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/token_service_test.cc
  DEPS orgd_auth nlohmann_json::nlohmann_json)
