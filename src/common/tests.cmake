# Unit tests of src/common.
orgd_add_test(NAME common_unit_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/common/log_test.cc
          ${PROJECT_SOURCE_DIR}/src/common/time_format_test.cc
          ${PROJECT_SOURCE_DIR}/src/common/text_test.cc
          ${PROJECT_SOURCE_DIR}/src/common/thread_copy_test.cc
  DEPS orgd_common)
