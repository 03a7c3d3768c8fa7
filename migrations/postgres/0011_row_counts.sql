-- Schema 0011 for PostgreSQL: kept row counts, so that a list's total (Logto's Total-Number) is
-- read, not counted. Kept in step with migrations/sqlite/0011_row_counts.sql: same table and rows.
--
-- `row_counts` holds one row per counted table, kept by statement triggers (one update per
-- statement, however many rows it wrote) in the same transaction as the change. Writers that
-- create or delete organizations queue on the row's lock until they commit; organization creates
-- are short transactions, and reads never wait for it. Today: 'organizations' (the total of an
-- organization list without a search).

CREATE TABLE row_counts (
  name TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  CONSTRAINT row_counts_pkey PRIMARY KEY (name)
);

INSERT INTO row_counts (name, n) SELECT 'organizations', COUNT(*) FROM organizations;

CREATE FUNCTION organizations_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE row_counts SET n = n + (SELECT COUNT(*) FROM new_rows) WHERE name = 'organizations';
  RETURN NULL;
END
$$;

CREATE FUNCTION organizations_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE row_counts SET n = n - (SELECT COUNT(*) FROM old_rows) WHERE name = 'organizations';
  RETURN NULL;
END
$$;

CREATE TRIGGER organizations_count_insert AFTER INSERT ON organizations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organizations_count_insert();
CREATE TRIGGER organizations_count_delete AFTER DELETE ON organizations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organizations_count_delete();
