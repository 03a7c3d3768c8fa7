-- Schema 0009 for SQLite: substring-search indexes, the counterpart of the pg_trgm indexes of
-- migrations/postgres/0002_search_indexes.sql (migrations/postgres/0009_search_fts.sql is empty
-- and only keeps the numbers equal). Conventions as in 0001_init.sql. Never edit once merged.
--
-- SQLite has no index that serves `LIKE '%abc%'`. These FTS5 tables with the trigram tokenizer
-- (SQLite 3.34+) index every three-character sequence of the searched columns, case-folded. The
-- store does not search them with LIKE (FTS5 turns a LIKE with an ESCAPE clause into a full scan,
-- see 0002_search_indexes.sql) but narrows a search to the rows they name:
--   ... AND o.rowid IN (SELECT rowid FROM organizations_fts WHERE organizations_fts MATCH $n)
-- where $n requires, as quoted phrases, every literal run of three or more characters of the
-- LIKE pattern (src/store/sql/fts_search.h). The store's LIKE predicate stays and decides: the
-- FTS table only narrows, so a row it names in excess costs time, never a wrong answer. Patterns
-- with no literal run of three characters ('%ab%', '%a_b%') are not narrowed and read the table.
--
-- The tables are external-content tables: they keep only the index, and read nothing from the
-- content table at search time (the store selects rowid alone). Each row's FTS rowid is the
-- rowid of its organization or user. Those tables have no INTEGER PRIMARY KEY, so the rowid is
-- implicit; SQLite keeps it through VACUUM for a table that has an index (VACUUM copies such
-- tables with their rowids; both have at least their primary-key index), and nothing in the store
-- writes a rowid. If the index ever disagreed with its table (e.g. after rows were written with
-- these triggers dropped), `INSERT INTO organizations_fts(organizations_fts) VALUES('rebuild')`
-- (and the same for users_fts) rebuilds it from the table; `... VALUES('integrity-check')`
-- verifies it.
--
-- columnsize=0: no per-row token counts (they serve only ranking, which the store never asks
-- for). detail=full (the default) keeps token positions, which a phrase needs: "abcd" is the
-- trigrams "abc" and "bcd" at consecutive positions, i.e. the substring itself.
--
-- Triggers keep the tables in step with every INSERT, UPDATE (of a searched column, when its
-- value changes) and DELETE, including upserts and ON DELETE CASCADE. An external-content delete
-- must name the values that were indexed, which the triggers take from `old`.

CREATE VIRTUAL TABLE organizations_fts USING fts5(
  id, name_sort,
  content = 'organizations', tokenize = 'trigram', columnsize = 0
);

CREATE TRIGGER organizations_fts_insert AFTER INSERT ON organizations BEGIN
  INSERT INTO organizations_fts (rowid, id, name_sort) VALUES (new.rowid, new.id, new.name_sort);
END;

CREATE TRIGGER organizations_fts_delete AFTER DELETE ON organizations BEGIN
  INSERT INTO organizations_fts (organizations_fts, rowid, id, name_sort)
    VALUES ('delete', old.rowid, old.id, old.name_sort);
END;

CREATE TRIGGER organizations_fts_update AFTER UPDATE OF id, name_sort ON organizations
  WHEN old.id IS NOT new.id OR old.name_sort IS NOT new.name_sort
BEGIN
  INSERT INTO organizations_fts (organizations_fts, rowid, id, name_sort)
    VALUES ('delete', old.rowid, old.id, old.name_sort);
  INSERT INTO organizations_fts (rowid, id, name_sort) VALUES (new.rowid, new.id, new.name_sort);
END;

INSERT INTO organizations_fts (organizations_fts) VALUES ('rebuild');

-- Users: the columns of the `q` search and of the Logto advanced search (src/store/sql/users.cc,
-- memberships.cc). The store's LIKE runs on ASCII-lower-cased copies of some of them; the
-- tokenizer folds case itself, so the raw columns serve both.
CREATE VIRTUAL TABLE users_fts USING fts5(
  id, primary_email, primary_phone, username, name,
  content = 'users', tokenize = 'trigram', columnsize = 0
);

CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
  INSERT INTO users_fts (rowid, id, primary_email, primary_phone, username, name)
    VALUES (new.rowid, new.id, new.primary_email, new.primary_phone, new.username, new.name);
END;

CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
  INSERT INTO users_fts (users_fts, rowid, id, primary_email, primary_phone, username, name)
    VALUES ('delete', old.rowid, old.id, old.primary_email, old.primary_phone, old.username,
            old.name);
END;

CREATE TRIGGER users_fts_update
  AFTER UPDATE OF id, primary_email, primary_phone, username, name ON users
  WHEN old.id IS NOT new.id OR old.primary_email IS NOT new.primary_email
    OR old.primary_phone IS NOT new.primary_phone OR old.username IS NOT new.username
    OR old.name IS NOT new.name
BEGIN
  INSERT INTO users_fts (users_fts, rowid, id, primary_email, primary_phone, username, name)
    VALUES ('delete', old.rowid, old.id, old.primary_email, old.primary_phone, old.username,
            old.name);
  INSERT INTO users_fts (rowid, id, primary_email, primary_phone, username, name)
    VALUES (new.rowid, new.id, new.primary_email, new.primary_phone, new.username, new.name);
END;

INSERT INTO users_fts (users_fts) VALUES ('rebuild');
