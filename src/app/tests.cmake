# Unit tests of src/app: the command line and environment parser.
orgd_add_test(NAME app_unit_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/app/config_test.cc
  DEPS orgd_app)
