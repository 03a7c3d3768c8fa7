-- Schema 0001 for PostgreSQL. Kept in step with migrations/sqlite/0001_init.sql: same tables,
-- columns, keys and index names. The migrator runs this file inside one transaction, so it holds
-- no BEGIN/COMMIT. Never edit once merged; add 0002_*.sql instead.
--
-- Conventions shared by both engines:
-- * Timestamps are BIGINT, UTC milliseconds since the epoch.
-- * Booleans are integers 0/1 (checked), so the SQL text of the store is identical on both engines.
-- * JSON-valued columns hold compact JSON object text (TEXT, not JSONB: the store never looks
--   inside, and the text must come back byte for byte as written).
-- * Text keys and sort keys use COLLATE "C", so they compare and sort by bytes as SQLite does, and
--   orders and keyset cursors agree across engines whatever the database's locale.
-- * Organization-scoped tables lead their primary key with org_id, so they can be distributed
--   by org_id (Citus, YugabyteDB, CockroachDB) without a schema change.

CREATE TABLE organizations (
  id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  -- ASCII-lower-cased name, maintained by the store: the case-insensitive sort key.
  name_sort TEXT COLLATE "C" NOT NULL,
  description TEXT,
  custom_data TEXT NOT NULL DEFAULT '{}',
  is_mfa_required INTEGER NOT NULL DEFAULT 0 CHECK (is_mfa_required IN (0, 1)),
  color TEXT NOT NULL DEFAULT '{}',
  branding TEXT NOT NULL DEFAULT '{}',
  custom_css TEXT,
  -- The handle as given, and its ASCII-lower-cased form (maintained by the store) that carries
  -- the case-insensitive uniqueness. Both NULL when the organization has no handle.
  handle TEXT,
  handle_lower TEXT COLLATE "C",
  external_id TEXT COLLATE "C",
  is_auto_membership_enabled INTEGER NOT NULL DEFAULT 0
    CHECK (is_auto_membership_enabled IN (0, 1)),
  is_auto_join_domain_list INTEGER NOT NULL DEFAULT 0 CHECK (is_auto_join_domain_list IN (0, 1)),
  is_enable_advanced_orgs INTEGER NOT NULL DEFAULT 0 CHECK (is_enable_advanced_orgs IN (0, 1)),
  background_color TEXT,
  button_color TEXT,
  button_text_color TEXT,
  link_color TEXT,
  background_color_dark TEXT,
  button_color_dark TEXT,
  button_text_color_dark TEXT,
  link_color_dark TEXT,
  theme_code TEXT NOT NULL DEFAULT 'light',
  sender_name TEXT,
  sender_email TEXT,
  is_suspended INTEGER NOT NULL DEFAULT 0 CHECK (is_suspended IN (0, 1)),
  suspended_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT organizations_pkey PRIMARY KEY (id)
);

-- The store tells which uniqueness rule a clash broke from the constraint named in the
-- database's message (src/store/sql/sql_store.cc): keep "handle_lower" and "external_id" in
-- these names.
CREATE UNIQUE INDEX organizations_handle_lower_key ON organizations (handle_lower);
CREATE UNIQUE INDEX organizations_external_id_key ON organizations (external_id);
CREATE INDEX organizations_created_at_id_idx ON organizations (created_at, id);
CREATE INDEX organizations_name_sort_id_idx ON organizations (name_sort, id);

-- Just-in-time provisioning email domains of an organization (Logto "JIT email domains", Kinde
-- "allowed_domains"). `seq` records insertion order within the organization.
CREATE TABLE organization_jit_email_domains (
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  email_domain TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  CONSTRAINT organization_jit_email_domains_pkey PRIMARY KEY (org_id, email_domain)
);

-- Management API clients (machine credentials). `scopes` is space-separated.
CREATE TABLE clients (
  id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT clients_pkey PRIMARY KEY (id)
);

-- Token-signing keys; the private key is PKCS#8 PEM text.
CREATE TABLE signing_keys (
  kid TEXT COLLATE "C" NOT NULL,
  algorithm TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  retired_at BIGINT,
  CONSTRAINT signing_keys_pkey PRIMARY KEY (kid)
);
