-- Schema 0008 for PostgreSQL: progress of bulk imports (`orgd import FILE`, POST /api/orgd/import;
-- docs/import.md). Kept in step with migrations/sqlite/0008_import_progress.sql. Conventions as in
-- 0001_init.sql. Never edit once merged.
--
-- One row per import file, written in the same transaction as each batch of the file's lines, so
-- that after a crash the row says exactly which lines are in the database: lines 1..lines_done,
-- which end at byte offset bytes_done. A re-run of the same file (same file_id) starts after them.

CREATE TABLE import_progress (
  -- Lower-case hex SHA-256 of the whole file: the file's identity.
  file_id TEXT COLLATE "C" NOT NULL,
  file_size BIGINT NOT NULL,
  lines_done BIGINT NOT NULL,
  bytes_done BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  -- Set when the last line is committed; NULL while the import is unfinished.
  completed_at BIGINT,
  CONSTRAINT import_progress_pkey PRIMARY KEY (file_id)
);
