-- Schema 0004 for PostgreSQL: users, roles, permissions, API resources and their scopes, memberships
-- and every grant inside an organization. Kept in step with migrations/sqlite/0004_members_roles.sql:
-- same tables, columns, keys and index names. Conventions as in 0001_init.sql: text keys use
-- COLLATE "C"; organization-scoped tables lead their primary key with org_id. Never edit once
-- merged.
--
-- Every relation is a foreign key with ON DELETE CASCADE, so deleting an organization, user, role,
-- permission, application, resource or resource scope leaves no orphan row. Grants inside an
-- organization (member roles, direct permissions, API scopes, application roles) reference the
-- membership itself, so removing a member removes its grants there.
--
-- The store tells which uniqueness rule a clash broke from the constraint named in the database's
-- message (src/store/sql/*.cc): keep the column and index names of the unique indexes.

CREATE TABLE users (
  id TEXT COLLATE "C" NOT NULL,
  username TEXT COLLATE "C",
  -- ASCII-lower-cased copies maintained by the store: search keys, and for the email the
  -- case-insensitive uniqueness.
  username_lower TEXT COLLATE "C",
  primary_email TEXT,
  primary_email_lower TEXT COLLATE "C",
  primary_phone TEXT COLLATE "C",
  name TEXT,
  name_lower TEXT COLLATE "C",
  first_name TEXT,
  last_name TEXT,
  avatar TEXT,
  custom_data TEXT NOT NULL DEFAULT '{}',
  profile TEXT NOT NULL DEFAULT '{}',
  identities TEXT NOT NULL DEFAULT '{}',
  -- Argon2id PHC string, or an imported digest together with its algorithm.
  password_hash TEXT,
  password_algorithm TEXT,
  provided_id TEXT COLLATE "C",
  application_id TEXT COLLATE "C",
  is_suspended INTEGER NOT NULL DEFAULT 0 CHECK (is_suspended IN (0, 1)),
  is_password_reset_requested INTEGER NOT NULL DEFAULT 0
    CHECK (is_password_reset_requested IN (0, 1)),
  last_sign_in_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT users_pkey PRIMARY KEY (id)
);

CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_primary_email_lower_key ON users (primary_email_lower);
CREATE UNIQUE INDEX users_primary_phone_key ON users (primary_phone);
CREATE UNIQUE INDEX users_provided_id_key ON users (provided_id);
CREATE INDEX users_created_at_id_idx ON users (created_at, id);

-- Permissions: the Logto organization scope (`name` there is `key` here), the Kinde permission.
CREATE TABLE permissions (
  id TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  name_sort TEXT COLLATE "C" NOT NULL,
  description TEXT,
  created_at BIGINT NOT NULL,
  CONSTRAINT permissions_pkey PRIMARY KEY (id)
);

CREATE UNIQUE INDEX permissions_key_key ON permissions (key);
CREATE INDEX permissions_created_at_id_idx ON permissions (created_at, id);
CREATE INDEX permissions_name_sort_id_idx ON permissions (name_sort, id);

-- Roles: organization-role templates (Logto `name` = `key` here; Kinde `key` and display `name`).
CREATE TABLE roles (
  id TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  key_sort TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  name_sort TEXT COLLATE "C" NOT NULL,
  description TEXT,
  type TEXT NOT NULL DEFAULT 'User' CHECK (type IN ('User', 'MachineToMachine')),
  is_default_role INTEGER NOT NULL DEFAULT 0 CHECK (is_default_role IN (0, 1)),
  assignment_permission_id TEXT COLLATE "C" REFERENCES permissions (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT roles_pkey PRIMARY KEY (id)
);

CREATE UNIQUE INDEX roles_key_key ON roles (key);
CREATE INDEX roles_created_at_id_idx ON roles (created_at, id);
CREATE INDEX roles_name_sort_id_idx ON roles (name_sort, id);
CREATE INDEX roles_key_sort_id_idx ON roles (key_sort, id);

CREATE TABLE role_permissions (
  role_id TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission_id TEXT COLLATE "C" NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT role_permissions_pkey PRIMARY KEY (role_id, permission_id)
);

CREATE INDEX role_permissions_permission_idx ON role_permissions (permission_id, role_id);

-- API resources (Kinde APIs) and their scopes.
CREATE TABLE resources (
  id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  name_sort TEXT COLLATE "C" NOT NULL,
  indicator TEXT COLLATE "C" NOT NULL,
  access_token_ttl BIGINT NOT NULL DEFAULT 3600,
  created_at BIGINT NOT NULL,
  CONSTRAINT resources_pkey PRIMARY KEY (id)
);

CREATE UNIQUE INDEX resources_indicator_key ON resources (indicator);
CREATE INDEX resources_created_at_id_idx ON resources (created_at, id);

CREATE TABLE resource_scopes (
  id TEXT COLLATE "C" NOT NULL,
  resource_id TEXT COLLATE "C" NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  created_at BIGINT NOT NULL,
  CONSTRAINT resource_scopes_pkey PRIMARY KEY (id)
);

CREATE UNIQUE INDEX resource_scopes_resource_id_name_key ON resource_scopes (resource_id, name);
CREATE INDEX resource_scopes_resource_created_idx ON resource_scopes (resource_id, created_at, id);

CREATE TABLE role_resource_scopes (
  role_id TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  scope_id TEXT COLLATE "C" NOT NULL REFERENCES resource_scopes (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT role_resource_scopes_pkey PRIMARY KEY (role_id, scope_id)
);

CREATE INDEX role_resource_scopes_scope_idx ON role_resource_scopes (scope_id, role_id);

-- Applications (Logto). JSON-valued columns hold compact JSON text.
CREATE TABLE applications (
  id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL
    CHECK (type IN ('Native', 'SPA', 'Traditional', 'MachineToMachine', 'Protected', 'SAML')),
  description TEXT,
  oidc_client_metadata TEXT NOT NULL DEFAULT '{"redirectUris":[],"postLogoutRedirectUris":[]}',
  custom_client_metadata TEXT NOT NULL DEFAULT '{}',
  custom_data TEXT NOT NULL DEFAULT '{}',
  is_third_party INTEGER NOT NULL DEFAULT 0 CHECK (is_third_party IN (0, 1)),
  created_at BIGINT NOT NULL,
  CONSTRAINT applications_pkey PRIMARY KEY (id)
);

CREATE INDEX applications_created_at_id_idx ON applications (created_at, id);

-- Memberships. `created_at` is the join time: Kinde lists members in join order.
CREATE TABLE organization_members (
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_members_pkey PRIMARY KEY (org_id, user_id)
);

CREATE INDEX organization_members_join_idx ON organization_members (org_id, created_at, user_id);
CREATE INDEX organization_members_user_idx ON organization_members (user_id, org_id);

CREATE TABLE organization_member_roles (
  org_id TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  role_id TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_member_roles_pkey PRIMARY KEY (org_id, user_id, role_id),
  CONSTRAINT organization_member_roles_member_fkey FOREIGN KEY (org_id, user_id)
    REFERENCES organization_members (org_id, user_id) ON DELETE CASCADE
);

-- Role holders in one organization, and in every organization (Kinde /roles/{id}/users).
CREATE INDEX organization_member_roles_holders_idx
  ON organization_member_roles (org_id, role_id, user_id);
CREATE INDEX organization_member_roles_role_idx ON organization_member_roles (role_id, user_id);

-- Direct permission grants (Kinde member permissions).
CREATE TABLE organization_member_permissions (
  org_id TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  permission_id TEXT COLLATE "C" NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_member_permissions_pkey PRIMARY KEY (org_id, user_id, permission_id),
  CONSTRAINT organization_member_permissions_member_fkey FOREIGN KEY (org_id, user_id)
    REFERENCES organization_members (org_id, user_id) ON DELETE CASCADE
);

CREATE INDEX organization_member_permissions_permission_idx
  ON organization_member_permissions (permission_id);

-- Per-member API scopes (Kinde).
CREATE TABLE organization_member_api_scopes (
  org_id TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  scope_id TEXT COLLATE "C" NOT NULL REFERENCES resource_scopes (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_member_api_scopes_pkey PRIMARY KEY (org_id, user_id, scope_id),
  CONSTRAINT organization_member_api_scopes_member_fkey FOREIGN KEY (org_id, user_id)
    REFERENCES organization_members (org_id, user_id) ON DELETE CASCADE
);

CREATE INDEX organization_member_api_scopes_scope_idx ON organization_member_api_scopes (scope_id);

-- Applications in organizations (Logto) and their role grants.
CREATE TABLE organization_applications (
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_applications_pkey PRIMARY KEY (org_id, application_id)
);

CREATE INDEX organization_applications_order_idx
  ON organization_applications (org_id, created_at, application_id);
CREATE INDEX organization_applications_application_idx
  ON organization_applications (application_id, org_id);

CREATE TABLE organization_application_roles (
  org_id TEXT COLLATE "C" NOT NULL,
  application_id TEXT COLLATE "C" NOT NULL,
  role_id TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_application_roles_pkey PRIMARY KEY (org_id, application_id, role_id),
  CONSTRAINT organization_application_roles_member_fkey FOREIGN KEY (org_id, application_id)
    REFERENCES organization_applications (org_id, application_id) ON DELETE CASCADE
);

CREATE INDEX organization_application_roles_role_idx ON organization_application_roles (role_id);

-- Roles given to members that JIT provisioning adds to the organization.
CREATE TABLE organization_jit_roles (
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  role_id TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CONSTRAINT organization_jit_roles_pkey PRIMARY KEY (org_id, role_id)
);

CREATE INDEX organization_jit_roles_role_idx ON organization_jit_roles (role_id);
