-- Schema 0003 for SQLite: feature flag definitions and their organization overrides, property
-- categories, property definitions and organization property values (Kinde dialect,
-- contracts/kinde.md §3.8, §3.9, §3.13.4, §3.13.5). Kept in step with
-- migrations/postgres/0003_feature_flags_properties.sql: same tables, columns, keys and index
-- names. Conventions as in 0001_init.sql. Never edit once merged.
--
-- Organization overrides and property values cascade from their organization and from their
-- definition, so deleting either leaves no orphan row. The store tells which uniqueness rule a
-- clash broke from the constraint named in the database's message (src/store/sql/feature_flags.cc,
-- src/store/sql/properties.cc): keep the column and index names of the keys.

-- A flag is addressed by its key for life; there is no other identifier.
CREATE TABLE feature_flags (
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  type TEXT NOT NULL CHECK (type IN ('str', 'int', 'bool')),
  allow_override_level TEXT NOT NULL CHECK (allow_override_level IN ('env', 'org', 'usr')),
  default_value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  CONSTRAINT feature_flags_pkey PRIMARY KEY (key)
) STRICT;

CREATE INDEX feature_flags_created_at_key_idx ON feature_flags (created_at, key);

CREATE TABLE organization_feature_flags (
  org_id TEXT NOT NULL,
  flag_key TEXT NOT NULL,
  value TEXT NOT NULL,
  CONSTRAINT organization_feature_flags_pkey PRIMARY KEY (org_id, flag_key),
  CONSTRAINT organization_feature_flags_org_id_fkey FOREIGN KEY (org_id)
    REFERENCES organizations (id) ON DELETE CASCADE,
  CONSTRAINT organization_feature_flags_flag_key_fkey FOREIGN KEY (flag_key)
    REFERENCES feature_flags (key) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Serves the cascade from feature_flags and the per-flag override reads.
CREATE INDEX organization_feature_flags_flag_key_idx ON organization_feature_flags (flag_key);

CREATE TABLE property_categories (
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  context TEXT NOT NULL CHECK (context IN ('org', 'usr', 'app')),
  created_at INTEGER NOT NULL,
  CONSTRAINT property_categories_pkey PRIMARY KEY (id)
) STRICT;

CREATE INDEX property_categories_created_at_id_idx ON property_categories (created_at, id);

-- There is no category delete, so a category cannot go while properties refer to it.
CREATE TABLE properties (
  id TEXT NOT NULL,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  type TEXT NOT NULL CHECK (type IN ('single_line_text', 'multi_line_text')),
  context TEXT NOT NULL CHECK (context IN ('org', 'usr', 'app')),
  is_private INTEGER NOT NULL CHECK (is_private IN (0, 1)),
  category_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  CONSTRAINT properties_pkey PRIMARY KEY (id),
  CONSTRAINT properties_category_id_fkey FOREIGN KEY (category_id)
    REFERENCES property_categories (id)
) STRICT;

CREATE UNIQUE INDEX properties_key_key ON properties (key);
CREATE INDEX properties_created_at_id_idx ON properties (created_at, id);
CREATE INDEX properties_category_id_idx ON properties (category_id);

CREATE TABLE organization_property_values (
  org_id TEXT NOT NULL,
  property_id TEXT NOT NULL,
  value TEXT NOT NULL,
  CONSTRAINT organization_property_values_pkey PRIMARY KEY (org_id, property_id),
  CONSTRAINT organization_property_values_org_id_fkey FOREIGN KEY (org_id)
    REFERENCES organizations (id) ON DELETE CASCADE,
  CONSTRAINT organization_property_values_property_id_fkey FOREIGN KEY (property_id)
    REFERENCES properties (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Serves the cascade from properties.
CREATE INDEX organization_property_values_property_id_idx
  ON organization_property_values (property_id);
