-- Schema 0014 for SQLite: nothing. migrations/postgres/0014_change_readers.sql adds the table of
-- processes that follow the change feed, which lets a PostgreSQL reader skip a round trip per
-- request; on an SQLite file that check is PRAGMA data_version, a read of shared memory, so no
-- table is needed. The file keeps the two engines' migration numbers in step.
SELECT 1;
