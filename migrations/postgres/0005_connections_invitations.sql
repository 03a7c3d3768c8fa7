-- Schema 0005 for PostgreSQL: connections (Logto SSO connectors and Kinde connections, one concept),
-- their enablement per organization (which also drives JIT provisioning), and organization
-- invitations of both dialects with their roles. Kept in step with
-- migrations/sqlite/0005_connections_invitations.sql: same tables, columns, keys and index
-- names. Conventions as in 0001_init.sql: text keys use COLLATE "C". Never edit once merged.
--
-- Organization-scoped tables lead their primary key with org_id. Every relation is a foreign key
-- with ON DELETE CASCADE: deleting an organization, connection or role leaves no orphan row. The
-- store tells which uniqueness rule a clash broke from the index named in the database's message
-- (src/store/sql/connections.cc, invitations.cc): keep the column and index names of the keys.

-- `provider` keeps the creating dialect's value (Logto providerName or Kinde strategy). `options`
-- is the Logto `config` / Kinde `options` JSON object; `branding` the Logto branding object
-- without displayName, which is `display_name`; `enabled_applications` a JSON array of strings.
CREATE TABLE connections (
  id TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  display_name TEXT,
  provider TEXT COLLATE "C" NOT NULL,
  options TEXT NOT NULL DEFAULT '{}',
  branding TEXT NOT NULL DEFAULT '{}',
  sync_profile INTEGER NOT NULL DEFAULT 0 CHECK (sync_profile IN (0, 1)),
  enable_token_storage INTEGER NOT NULL DEFAULT 0 CHECK (enable_token_storage IN (0, 1)),
  enabled_applications TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  CONSTRAINT connections_pkey PRIMARY KEY (id)
);

CREATE UNIQUE INDEX connections_name_key ON connections (name);
CREATE INDEX connections_created_at_id_idx ON connections (created_at, id);

-- The email domains a connection serves (Logto `domains`, Kinde `options.home_realm_domains`),
-- ASCII-lower-cased; `position` keeps the order given.
CREATE TABLE connection_domains (
  connection_id TEXT COLLATE "C" NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  domain TEXT COLLATE "C" NOT NULL,
  position BIGINT NOT NULL,
  CONSTRAINT connection_domains_pkey PRIMARY KEY (connection_id, domain)
);

-- Serves the home_realm_domain filter of the connection list.
CREATE INDEX connection_domains_domain_idx ON connection_domains (domain, connection_id);

-- A connection enabled for an organization: Logto JIT SSO connectors and Kinde organization
-- connections are the same rows.
CREATE TABLE organization_connections (
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  connection_id TEXT COLLATE "C" NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_connections_pkey PRIMARY KEY (org_id, connection_id)
);

CREATE INDEX organization_connections_order_idx
  ON organization_connections (org_id, created_at, connection_id);
-- JIT provisioning by connector, and the cascade from connections.
CREATE INDEX organization_connections_connection_idx
  ON organization_connections (connection_id, org_id);

-- JIT provisioning by email domain matches domains case-insensitively (ASCII), whatever case
-- they were stored in.
CREATE INDEX organization_jit_email_domains_lower_idx
  ON organization_jit_email_domains (LOWER(email_domain), org_id);

-- Invitations of both dialects. `invitee_lower` and `name_sort` (ASCII-lower-cased "first last")
-- are maintained by the store. A deleted inviter or accepting user leaves the invitation with a
-- NULL reference.
CREATE TABLE organization_invitations (
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id TEXT COLLATE "C" NOT NULL,
  invitee TEXT NOT NULL,
  invitee_lower TEXT COLLATE "C" NOT NULL,
  first_name TEXT,
  last_name TEXT,
  name_sort TEXT COLLATE "C" NOT NULL,
  inviter_id TEXT COLLATE "C" REFERENCES users (id) ON DELETE SET NULL,
  accepted_user_id TEXT COLLATE "C" REFERENCES users (id) ON DELETE SET NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('Pending', 'Accepted', 'Expired', 'Revoked')),
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT,
  send_email INTEGER NOT NULL DEFAULT 0 CHECK (send_email IN (0, 1)),
  is_sent INTEGER NOT NULL DEFAULT 0 CHECK (is_sent IN (0, 1)),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT organization_invitations_pkey PRIMARY KEY (org_id, id)
);

-- The Logto dialect addresses invitations by id alone.
CREATE UNIQUE INDEX organization_invitations_id_key ON organization_invitations (id);
-- The Logto list (newest first, optionally by organization) and the Kinde list orders.
CREATE INDEX organization_invitations_created_idx ON organization_invitations (created_at, id);
CREATE INDEX organization_invitations_org_created_idx
  ON organization_invitations (org_id, created_at, id);
CREATE INDEX organization_invitations_org_invitee_idx
  ON organization_invitations (org_id, invitee_lower, id);
CREATE INDEX organization_invitations_org_name_idx
  ON organization_invitations (org_id, name_sort, id);
CREATE INDEX organization_invitations_inviter_idx ON organization_invitations (inviter_id);
CREATE INDEX organization_invitations_accepted_user_idx
  ON organization_invitations (accepted_user_id);

CREATE TABLE organization_invitation_roles (
  org_id TEXT COLLATE "C" NOT NULL,
  invitation_id TEXT COLLATE "C" NOT NULL,
  role_id TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  CONSTRAINT organization_invitation_roles_pkey PRIMARY KEY (org_id, invitation_id, role_id),
  CONSTRAINT organization_invitation_roles_invitation_fkey FOREIGN KEY (org_id, invitation_id)
    REFERENCES organization_invitations (org_id, id) ON DELETE CASCADE
);

CREATE INDEX organization_invitation_roles_role_idx ON organization_invitation_roles (role_id);
