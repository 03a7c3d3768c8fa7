# orgd_add_library(NAME <target> SOURCES ... [DEPS ...] [PUBLIC_DEPS ...])
# orgd_add_test(NAME <target> SOURCES ... [DEPS ...])

set(ORGD_WARNINGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(ORGD_WERROR)
  list(APPEND ORGD_WARNINGS -Werror)
endif()

if(ORGD_SANITIZE)
  string(REPLACE "," ";" _orgd_sans "${ORGD_SANITIZE}")
  foreach(_s IN LISTS _orgd_sans)
    add_compile_options(-fsanitize=${_s})
    add_link_options(-fsanitize=${_s})
  endforeach()
  add_compile_options(-fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()

function(orgd_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SOURCES})
  target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${ARG_NAME} PRIVATE ${ORGD_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} PUBLIC ${ARG_PUBLIC_DEPS})
endfunction()

function(orgd_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${ORGD_WARNINGS})
  # GCC 12 at -O2 reports std::optional<std::string> members of aggregates that tests fill field
  # by field as "maybe uninitialized" (a known false positive); the libraries keep the warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${ARG_NAME} PRIVATE -Wno-maybe-uninitialized)
  endif()
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main Threads::Threads)
  # PRE_TEST: list the tests when ctest runs, so that backends chosen by the environment
  # (ORGD_TEST_POSTGRES_URL) are part of the list.
  gtest_discover_tests(${ARG_NAME} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()

# Embeds every file of `DIR` matching *.sql into a C++ source `OUT` that defines
# `const std::vector<orgd::store::sql::MigrationFile>& <FUNC>()`, sorted by file name.
function(orgd_embed_migrations)
  cmake_parse_arguments(ARG "" "DIR;OUT;FUNC" "FILES" ${ARGN})
  set(_deps)
  foreach(_f IN LISTS ARG_FILES)
    list(APPEND _deps "${ARG_DIR}/${_f}")
  endforeach()
  add_custom_command(
    OUTPUT ${ARG_OUT}
    COMMAND ${CMAKE_COMMAND} -DDIR=${ARG_DIR} -DOUT=${ARG_OUT} -DFUNC=${ARG_FUNC}
            "-DFILES=${ARG_FILES}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    DEPENDS ${_deps} ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    COMMENT "Embedding migrations from ${ARG_DIR}"
    VERBATIM)
endfunction()
