-- Schema 0006 for SQLite: per-organization settings of the Kinde dialect (contracts/kinde.md
-- §3.10, §3.11): uploaded logos, and one row of session policy, MFA configuration and passkey
-- policy override. Kept in step with migrations/postgres/0006_organization_settings.sql: same
-- tables, columns, keys and names. Conventions as in 0001_init.sql. Never edit once merged.
--
-- Both tables lead their primary key with org_id and cascade from organizations, so deleting an
-- organization removes its logos and settings.

-- One row per uploaded logo: at most one light and one dark per organization. `content_type` is
-- the type detected from the bytes (never the upload's declared type); `content_hash` identifies
-- the bytes in logo URLs and ETags; `byte_size` = length of `bytes`, kept so that listings need
-- not read the blob. Not WITHOUT ROWID: rows carry up to 1 MiB blobs, which rowid tables keep in
-- overflow pages instead of the key's b-tree.
CREATE TABLE organization_logos (
  org_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('light', 'dark')),
  file_name TEXT,
  content_type TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  byte_size INTEGER NOT NULL CHECK (byte_size > 0),
  bytes BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  CONSTRAINT organization_logos_pkey PRIMARY KEY (org_id, type),
  CONSTRAINT organization_logos_org_id_fkey FOREIGN KEY (org_id)
    REFERENCES organizations (id) ON DELETE CASCADE
) STRICT;

-- An organization without a row has the defaults below. `mfa_enabled_factors` is NULL until the
-- MFA configuration is first written, then the factors separated by single spaces ('' for none).
-- `passkey_policy` is the organization's override of the environment policy, NULL for none.
CREATE TABLE organization_settings (
  org_id TEXT NOT NULL,
  is_use_org_sso_session_policy INTEGER NOT NULL DEFAULT 0
    CHECK (is_use_org_sso_session_policy IN (0, 1)),
  sso_session_persistence_mode TEXT NOT NULL DEFAULT 'persistent'
    CHECK (sso_session_persistence_mode IN ('persistent', 'non_persistent')),
  is_use_org_authenticated_session_lifetime INTEGER NOT NULL DEFAULT 0
    CHECK (is_use_org_authenticated_session_lifetime IN (0, 1)),
  authenticated_session_lifetime INTEGER CHECK (authenticated_session_lifetime >= 1),
  mfa_enabled_factors TEXT,
  is_mfa_recovery_codes_enabled INTEGER NOT NULL DEFAULT 1
    CHECK (is_mfa_recovery_codes_enabled IN (0, 1)),
  passkey_policy TEXT CHECK (passkey_policy IN ('off', 'optional', 'mandatory')),
  updated_at INTEGER NOT NULL,
  CONSTRAINT organization_settings_pkey PRIMARY KEY (org_id),
  CONSTRAINT organization_settings_org_id_fkey FOREIGN KEY (org_id)
    REFERENCES organizations (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
