-- Schema 0013 for SQLite: the change feed (0010, 0012) also notes a new organization, and any
-- change to a user or to an organization's logos, so that it reports every write that a list of
-- organizations or of members, or an organization with its logos (Kinde), reads:
-- the read model's generation (src/domain/read_model.h) then moves with each of them, and a list
-- page kept in memory for that generation stays exact (src/domain/list_cache.h). Kept in step
-- with migrations/postgres/0013_list_changes.sql.
--
-- A user's row is part of every member list the user appears in, so a change to it moves the
-- catalog row '' (which drops the kept catalog: cheap, and users change rarely) rather than one
-- row per organization. A new user is in no list until a membership, which is noted already.

CREATE TRIGGER organizations_changes_insert AFTER INSERT ON organizations BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER users_changes_update AFTER UPDATE ON users BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER users_changes_delete AFTER DELETE ON users BEGIN
  INSERT INTO changes (org_id, seq) VALUES ('', (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER organization_logos_changes_insert AFTER INSERT ON organization_logos BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_logos_changes_update AFTER UPDATE ON organization_logos BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_logos_changes_delete AFTER DELETE ON organization_logos BEGIN
  INSERT INTO changes (org_id, seq) VALUES (OLD.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
