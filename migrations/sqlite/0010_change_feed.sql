-- Schema 0010 for SQLite: the change feed of the in-memory read model (src/domain/read_model.h,
-- src/store/sql/change_feed.cc). Kept in step with migrations/postgres/0010_change_feed.sql.
-- Conventions as in 0001_init.sql. Never edit once merged.
--
-- `changes` holds one row per organization whose memberships or grants ever changed, carrying
-- the position of its latest change, plus one row with org_id '' (no organization has an empty
-- id) for the catalog: roles, permissions and the links between them. Triggers write it in the
-- same transaction as the change itself, so no write path can forget it (bulk imports and
-- cascades from deleting an organization, user, role or permission included). A process that
-- keeps grants in memory reads the rows whose position moved past the last one it saw, and drops
-- those organizations from memory.
--
-- One row per organization, not a log: the table never needs pruning, and a reader that was idle
-- for a long time still finds every organization that changed meanwhile. SQLite runs one writer
-- at a time, so positions (MAX + 1) grow in commit order and a reader never skips one.

CREATE TABLE changes (
  org_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  CONSTRAINT changes_pkey PRIMARY KEY (org_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX changes_seq_idx ON changes (seq);

CREATE TRIGGER organization_members_changes_insert AFTER INSERT ON organization_members BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_members_changes_update AFTER UPDATE ON organization_members BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_members_changes_delete AFTER DELETE ON organization_members BEGIN
  INSERT INTO changes (org_id, seq) VALUES (OLD.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER organization_member_roles_changes_insert AFTER INSERT ON organization_member_roles
BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_member_roles_changes_update AFTER UPDATE ON organization_member_roles
BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_member_roles_changes_delete AFTER DELETE ON organization_member_roles
BEGIN
  INSERT INTO changes (org_id, seq) VALUES (OLD.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER organization_member_permissions_changes_insert
AFTER INSERT ON organization_member_permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_member_permissions_changes_update
AFTER UPDATE ON organization_member_permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_member_permissions_changes_delete
AFTER DELETE ON organization_member_permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES (OLD.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;

-- The catalog: any write to roles, permissions or role_permissions moves the '' row.
CREATE TRIGGER roles_changes_insert AFTER INSERT ON roles BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER roles_changes_update AFTER UPDATE ON roles BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER roles_changes_delete AFTER DELETE ON roles BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER permissions_changes_insert AFTER INSERT ON permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER permissions_changes_update AFTER UPDATE ON permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER permissions_changes_delete AFTER DELETE ON permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER role_permissions_changes_insert AFTER INSERT ON role_permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER role_permissions_changes_update AFTER UPDATE ON role_permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER role_permissions_changes_delete AFTER DELETE ON role_permissions BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
