-- Schema 0016 for PostgreSQL: a trigram index over every user's searched texts, so that a user
-- search (Logto's GET /api/users?search=, the `q` of user lists) is narrowed to the users whose
-- texts hold each literal run of the search instead of reading every user (0.8-0.9 s at
-- 1,000,000 users). The store adds `AND <the same expression> LIKE '%run%'` for up to three runs
-- the search requires (src/store/sql/users.cc, PgUserSearchRuns); the search's own conditions
-- still decide. Kept in step with migrations/sqlite/0016_user_search.sql (empty: SQLite narrows
-- through users_fts, 0009). Never edit once merged.
--
-- The expression must stay identical to kPgUserSearchText in users.cc, or the planner will not
-- use the index. pg_trgm exists since 0002; its operator class is qualified with its schema.

DO $$
DECLARE
  trgm_schema name;
BEGIN
  SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_trgm';
  EXECUTE format('CREATE INDEX users_search_text_trgm_idx ON users USING gin (('
                 'lower(id) || '' '' || COALESCE(primary_email_lower, '''') || '' '' || '
                 'COALESCE(lower(primary_phone), '''') || '' '' || COALESCE(username_lower, '''') '
                 '|| '' '' || COALESCE(name_lower, '''')) %I.gin_trgm_ops)', trgm_schema);
END
$$;
