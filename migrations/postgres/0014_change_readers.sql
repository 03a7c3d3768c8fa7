-- Schema 0014 for PostgreSQL: the processes that follow the change feed, so that a read needs no
-- round trip to be fresh (src/store/postgres/pg_change_fence.h). Kept in step, by number only,
-- with migrations/sqlite/0014_change_readers.sql: on SQLite a read checks PRAGMA data_version,
-- a memory read, and needs none of this.
--
-- Each serving orgd process holds one row of `change_readers`: `acked` is the highest fence
-- (a value of `change_fence`) taken before a poll of the change feed that the process has
-- applied, and `lease_until` the time (the server's clock_timestamp()) until which it may answer
-- from memory without polling. After each commit, a writer takes a fence and waits until every
-- other reader has acked a higher one or has lapsed. Only a writer marks a reader `lapsed`, with
-- an UPDATE, and only once its lease is past: the row lock orders that mark against the reader's
-- renewal (an UPDATE ... WHERE NOT lapsed), so a reader a writer passed over can never renew as
-- if it had not been. A lapsed reader rejoins (clears the mark) and trusts its memory again only
-- after its next poll. Rows of processes that died stay until their lease is an hour past; the
-- next process to start deletes them.

CREATE SEQUENCE change_fence;

CREATE TABLE change_readers (
  id BIGSERIAL NOT NULL,
  acked BIGINT NOT NULL DEFAULT 0,
  lease_until TIMESTAMPTZ NOT NULL,
  lapsed BOOLEAN NOT NULL DEFAULT false,
  started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  -- For an operator reading the table: which process this is.
  host TEXT NOT NULL DEFAULT '',
  pid BIGINT NOT NULL DEFAULT 0,
  CONSTRAINT change_readers_pkey PRIMARY KEY (id)
);
