-- Schema 0012 for PostgreSQL: the change feed (0010) also notes changes to an organization's own
-- row and to its JIT email domains, so that the read model can keep organization objects in
-- memory (src/domain/read_model.h). Kept in step with migrations/sqlite/0012_organization_changes.sql.
-- An insert needs no note: nothing is kept for an organization that does not exist.

-- As changes_note_organizations, for the organizations table, whose key column is `id`.
CREATE FUNCTION changes_note_organization_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (org_id, xid)
    SELECT DISTINCT id, pg_current_xact_id() FROM changed_rows ORDER BY id
    ON CONFLICT (org_id) DO UPDATE SET xid = excluded.xid;
  RETURN NULL;
END
$$;

CREATE TRIGGER organizations_changes_update AFTER UPDATE ON organizations
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organization_rows();
CREATE TRIGGER organizations_changes_delete AFTER DELETE ON organizations
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organization_rows();

CREATE TRIGGER organization_jit_email_domains_changes_insert
  AFTER INSERT ON organization_jit_email_domains REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_jit_email_domains_changes_update
  AFTER UPDATE ON organization_jit_email_domains REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_jit_email_domains_changes_delete
  AFTER DELETE ON organization_jit_email_domains REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
