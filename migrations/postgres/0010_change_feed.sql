-- Schema 0010 for PostgreSQL: the change feed of the in-memory read model (src/domain/read_model.h,
-- src/store/sql/change_feed.cc). Kept in step with migrations/sqlite/0010_change_feed.sql: same
-- table and purpose, and one engine difference, the position.
--
-- `changes` holds one row per organization whose memberships or grants ever changed, plus one row
-- with org_id '' for the catalog (roles, permissions, role_permissions). Statement triggers write
-- it in the same transaction as the change (one row per organization a statement touched, in
-- org_id order so that concurrent multi-organization writes lock the rows in one order).
--
-- The position is the writing transaction's id, not a sequence: sequence values are taken in
-- one order and committed in another, so a reader that kept "the highest value seen" could skip
-- a transaction that committed late. A reader instead remembers the xmin of its last snapshot:
-- every transaction below it had finished then (and was seen), so the rows at or above it are the
-- only ones that can be new. No lock is shared by writers of different organizations.

CREATE TABLE changes (
  org_id TEXT COLLATE "C" NOT NULL,
  xid xid8 NOT NULL,
  CONSTRAINT changes_pkey PRIMARY KEY (org_id)
);

CREATE INDEX changes_xid_idx ON changes (xid);

CREATE FUNCTION changes_note_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (org_id, xid)
    SELECT DISTINCT org_id, pg_current_xact_id() FROM changed_rows ORDER BY org_id
    ON CONFLICT (org_id) DO UPDATE SET xid = excluded.xid;
  RETURN NULL;
END
$$;

CREATE FUNCTION changes_note_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (org_id, xid) VALUES ('', pg_current_xact_id())
    ON CONFLICT (org_id) DO UPDATE SET xid = excluded.xid;
  RETURN NULL;
END
$$;

CREATE TRIGGER organization_members_changes_insert AFTER INSERT ON organization_members
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_members_changes_update AFTER UPDATE ON organization_members
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_members_changes_delete AFTER DELETE ON organization_members
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();

CREATE TRIGGER organization_member_roles_changes_insert AFTER INSERT ON organization_member_roles
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_member_roles_changes_update AFTER UPDATE ON organization_member_roles
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_member_roles_changes_delete AFTER DELETE ON organization_member_roles
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();

CREATE TRIGGER organization_member_permissions_changes_insert
  AFTER INSERT ON organization_member_permissions REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_member_permissions_changes_update
  AFTER UPDATE ON organization_member_permissions REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();
CREATE TRIGGER organization_member_permissions_changes_delete
  AFTER DELETE ON organization_member_permissions REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_organizations();

CREATE TRIGGER roles_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roles
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_catalog();
CREATE TRIGGER permissions_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON permissions
  FOR EACH STATEMENT EXECUTE FUNCTION changes_note_catalog();
CREATE TRIGGER role_permissions_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON role_permissions FOR EACH STATEMENT EXECUTE FUNCTION changes_note_catalog();
