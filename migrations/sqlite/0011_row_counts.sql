-- Schema 0011 for SQLite: kept row counts, so that a list's total (Logto's Total-Number) is read,
-- not counted. Kept in step with migrations/postgres/0011_row_counts.sql: same table and rows.
--
-- `row_counts` holds one row per counted table, kept by triggers in the same transaction as the
-- change. Today: 'organizations' (the total of an organization list without a search).

CREATE TABLE row_counts (
  name TEXT NOT NULL,
  n INTEGER NOT NULL,
  CONSTRAINT row_counts_pkey PRIMARY KEY (name)
) STRICT;

INSERT INTO row_counts (name, n) SELECT 'organizations', COUNT(*) FROM organizations;

CREATE TRIGGER organizations_count_insert AFTER INSERT ON organizations
BEGIN
  UPDATE row_counts SET n = n + 1 WHERE name = 'organizations';
END;

CREATE TRIGGER organizations_count_delete AFTER DELETE ON organizations
BEGIN
  UPDATE row_counts SET n = n - 1 WHERE name = 'organizations';
END;
