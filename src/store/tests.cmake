# Unit tests of the storage layer (included by tests/CMakeLists.txt). The store contract suite,
# which runs the SQL store against every backend, lives in tests/store.
orgd_add_test(NAME store_unit_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/store/sqlite/sqlite_db_test.cc
  DEPS orgd_store_sql orgd_store_sqlite)
