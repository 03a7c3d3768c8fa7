-- Schema 0009 for PostgreSQL: deliberately empty. It holds number 9 so that both engines keep the
-- same migration numbers: migrations/sqlite/0009_search_fts.sql adds SQLite's substring-search
-- indexes (FTS5 trigram tables over organizations and users). PostgreSQL answers the same
-- searches under the store's one SQL text: the organization lists from the pg_trgm indexes of
-- 0002_search_indexes.sql. Never edit once merged.
SELECT 1;
