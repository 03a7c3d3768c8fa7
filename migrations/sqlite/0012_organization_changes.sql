-- Schema 0012 for SQLite: the change feed (0010) also notes changes to an organization's own row
-- and to its JIT email domains, so that the read model can keep organization objects in memory
-- (src/domain/read_model.h). Kept in step with migrations/postgres/0012_organization_changes.sql.
-- An insert needs no note: nothing is kept for an organization that does not exist.

CREATE TRIGGER organizations_changes_update AFTER UPDATE ON organizations BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organizations_changes_delete AFTER DELETE ON organizations BEGIN
  INSERT INTO changes (org_id, seq) VALUES (OLD.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER organization_jit_email_domains_changes_insert
AFTER INSERT ON organization_jit_email_domains BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_jit_email_domains_changes_update
AFTER UPDATE ON organization_jit_email_domains BEGIN
  INSERT INTO changes (org_id, seq) VALUES (NEW.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER organization_jit_email_domains_changes_delete
AFTER DELETE ON organization_jit_email_domains BEGIN
  INSERT INTO changes (org_id, seq) VALUES (OLD.org_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes))
    ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq;
END;
