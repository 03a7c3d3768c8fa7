-- Schema 0015 for PostgreSQL: each organization's member count, kept by statement triggers in the
-- same transaction as the change, so that the total of a member list without a search or role
-- filter (Logto's Total-Number) is read, not counted: counting a 100,000-member organization
-- read every one of its memberships. Kept in step with migrations/sqlite/0015_member_counts.sql:
-- same table and rows.
--
-- One row per organization that ever had a member (none: no member); deleted with its
-- organization. Writers that add or remove members of one organization queue on its row's lock
-- until they commit, as they already do on its `changes` row (0010); rows are written in org_id
-- order, and after the `changes` rows (triggers fire in name order), so concurrent writers to
-- several organizations take the locks in one order.

CREATE TABLE organization_member_counts (
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  n BIGINT NOT NULL,
  CONSTRAINT organization_member_counts_pkey PRIMARY KEY (org_id)
);

INSERT INTO organization_member_counts (org_id, n)
  SELECT org_id, COUNT(*) FROM organization_members GROUP BY org_id;

CREATE FUNCTION organization_members_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO organization_member_counts (org_id, n)
    SELECT org_id, COUNT(*) FROM new_rows GROUP BY org_id ORDER BY org_id
    ON CONFLICT (org_id) DO UPDATE SET n = organization_member_counts.n + excluded.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION organization_members_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- No upsert here: the organization may be going too (its row then goes by the foreign key).
  PERFORM 1 FROM organization_member_counts
    WHERE org_id IN (SELECT org_id FROM old_rows) ORDER BY org_id FOR UPDATE;
  UPDATE organization_member_counts c SET n = c.n - d.n
    FROM (SELECT org_id, COUNT(*) AS n FROM old_rows GROUP BY org_id) d
    WHERE c.org_id = d.org_id;
  RETURN NULL;
END
$$;

CREATE TRIGGER organization_members_count_insert AFTER INSERT ON organization_members
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION organization_members_count_insert();
CREATE TRIGGER organization_members_count_delete AFTER DELETE ON organization_members
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION organization_members_count_delete();
