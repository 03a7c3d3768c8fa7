orgd_add_test(NAME http_unit_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/http/request_test.cc
          ${PROJECT_SOURCE_DIR}/src/http/request_parser_test.cc
          ${PROJECT_SOURCE_DIR}/src/http/response_test.cc
          ${PROJECT_SOURCE_DIR}/src/http/router_test.cc
          ${PROJECT_SOURCE_DIR}/src/http/server_test.cc
  DEPS orgd_http)

# The multipart/form-data reader (src/http/multipart.cc).
orgd_add_test(NAME http_multipart_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/http/multipart_test.cc
  DEPS orgd_http)
