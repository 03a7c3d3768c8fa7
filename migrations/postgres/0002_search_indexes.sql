-- Schema 0002 for PostgreSQL: trigram indexes for the substring search `q` of the organization
-- lists. Same number as migrations/sqlite/0002_search_indexes.sql. Runs inside the migrator's
-- transaction; never edit once merged.
--
-- The store searches with `o.id LIKE $1 OR o.name_sort LIKE $1` and a pattern '%<q>%' (see
-- kListFrom in src/store/sql/sql_store.cc). A B-tree cannot serve a pattern with a leading
-- wildcard, so without these indexes every search reads the whole table. A GIN index with
-- pg_trgm's gin_trgm_ops answers LIKE '%abc%' (any collation, rechecked against the row) for
-- patterns of three or more characters; the planner combines the two indexes with a BitmapOr.
-- Shorter patterns and a pattern with no trigram ('%%', the list without q) are left to the
-- B-tree indexes of 0001, which the planner prefers there.
--
-- pg_trgm is one extension per database, not per schema, so:
-- * it is created only when missing, in schema public when this role may create there (so that
--   dropping the schema of one orgd installation never takes it from another, e.g. test schemas
--   sharing a database), else in the current schema;
-- * when it exists already, in whatever schema (managed services often keep extensions in a
--   schema of their own), that one is used: the operator class is qualified with its schema
--   because that schema need not be on the search_path;
-- * concurrent migrations of several schemas, or several processes, take a transaction-level
--   advisory lock first, so that a second CREATE EXTENSION waits for the first to commit and then
--   sees it, instead of failing on the catalog's unique index. The key is an arbitrary constant
--   that only this migration uses.
-- pg_trgm is a trusted extension (PostgreSQL 13+): a role with CREATE on the database may create
-- it. Otherwise an administrator runs `CREATE EXTENSION pg_trgm;` once before orgd migrates.

DO $$
DECLARE
  trgm_schema name;
  public_schema oid;
BEGIN
  PERFORM pg_advisory_xact_lock(4707346531853705218);

  SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_trgm';

  IF trgm_schema IS NULL THEN
    SELECT oid INTO public_schema FROM pg_namespace WHERE nspname = 'public';
    IF public_schema IS NOT NULL AND has_schema_privilege(public_schema, 'CREATE') THEN
      trgm_schema := 'public';
    ELSE
      trgm_schema := current_schema();
    END IF;
    BEGIN
      EXECUTE format('CREATE EXTENSION pg_trgm WITH SCHEMA %I', trgm_schema);
    EXCEPTION WHEN insufficient_privilege THEN
      -- Said in a way that tells the operator what to do; the driver reports only this message.
      RAISE EXCEPTION 'orgd needs the pg_trgm extension: run CREATE EXTENSION pg_trgm; in this '
                      'database as a role allowed to, then start orgd again (%)', SQLERRM
        USING ERRCODE = 'insufficient_privilege';
    END;
  END IF;

  EXECUTE format('CREATE INDEX organizations_name_sort_trgm_idx ON organizations '
                 'USING gin (name_sort %I.gin_trgm_ops)', trgm_schema);
  EXECUTE format('CREATE INDEX organizations_id_trgm_idx ON organizations '
                 'USING gin (id %I.gin_trgm_ops)', trgm_schema);
END
$$;
