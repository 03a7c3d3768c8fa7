-- Schema 0015 for SQLite: each organization's member count, kept by triggers in the same
-- transaction as the change, so that the total of a member list without a search or role filter
-- (Logto's Total-Number) is read, not counted: counting a 100,000-member organization read
-- 100,000 index entries and user rows (40-50 ms). Kept in step with
-- migrations/postgres/0015_member_counts.sql: same table and rows.
--
-- One row per organization that ever had a member (none: no member); deleted with its
-- organization. A bulk import sets the insert trigger aside and counts every organization once at
-- the end (src/store/sql/import.cc, kTriggerReplays).

CREATE TABLE organization_member_counts (
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  CONSTRAINT organization_member_counts_pkey PRIMARY KEY (org_id)
) STRICT, WITHOUT ROWID;

INSERT INTO organization_member_counts (org_id, n)
  SELECT org_id, COUNT(*) FROM organization_members WHERE true GROUP BY org_id;

CREATE TRIGGER organization_members_count_insert AFTER INSERT ON organization_members
BEGIN
  INSERT INTO organization_member_counts (org_id, n) VALUES (NEW.org_id, 1)
    ON CONFLICT (org_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER organization_members_count_delete AFTER DELETE ON organization_members
BEGIN
  UPDATE organization_member_counts SET n = n - 1 WHERE org_id = OLD.org_id;
END;
