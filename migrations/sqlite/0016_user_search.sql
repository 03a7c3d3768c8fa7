-- Schema 0016 for SQLite: deliberately empty. It holds number 16 so that both engines keep the
-- same migration numbers: migrations/postgres/0016_user_search.sql adds PostgreSQL's trigram index
-- over the users' searched texts; SQLite narrows user searches through users_fts (0009). Never
-- edit once merged.
SELECT 1;
