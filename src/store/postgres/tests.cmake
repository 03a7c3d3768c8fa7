# Unit tests of the PostgreSQL driver (included by tests/CMakeLists.txt). Tests that need a server
# run when ORGD_TEST_POSTGRES_URL is set and skip otherwise; each works in a schema of its own.
orgd_add_test(NAME pg_driver_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/store/postgres/pg_db_test.cc
  DEPS orgd_store_postgres)
# The write fence and reader leases (pg_change_fence.h); needs the schema's migrations.
orgd_add_test(NAME pg_change_fence_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/store/postgres/pg_change_fence_test.cc
  DEPS orgd_store_postgres orgd_store_sql orgd_test_pg)
