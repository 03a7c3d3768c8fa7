// Kinde SDK: Users, Roles, Permissions and the Organizations module's organization-user
// operations (members, their roles, permissions, API scopes and MFA, role holders).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { kindeClient, kindeRejects, logtoClient, logtoExpect } from '../clients.js';

const success = { code: 'OK', message: 'Success' };

for (const engine of engines()) {
  describe(`Kinde users, roles and organization users (${engine})`, () => {
    let orgd;
    let sdk;
    before(async () => {
      orgd = await startOrgd(engine);
      sdk = kindeClient(orgd.url);
    });
    after(async () => orgd?.stop());

    it('creates, reads, updates, lists and deletes users', async () => {
      const { Users } = sdk;
      const created = await Users.createUser({
        requestBody: {
          profile: { given_name: 'Ada', family_name: 'Lovelace' },
          identities: [
            { type: 'email', details: { email: 'ada@example.com' } },
            { type: 'username', details: { username: 'ada' } },
          ],
        },
      });
      assert.equal(created.created, true);
      const id = created.id;
      const user = await Users.getUserData({ id, expand: 'identities' });
      assert.equal(user.id, id);
      assert.equal(user.preferred_email, 'ada@example.com');
      assert.equal(user.username, 'ada');
      assert.equal(user.first_name, 'Ada');
      assert.equal(user.last_name, 'Lovelace');
      const updated = await Users.updateUser({ id, requestBody: { given_name: 'Augusta' } });
      assert.equal(updated.given_name, 'Augusta');
      assert.equal(updated.email, 'ada@example.com');
      await kindeRejects(
        assert,
        Users.createUser({ requestBody: { identities: [{ type: 'email', details: { email: 'ADA@example.com' } }] } }),
        400,
        'EMAIL_EXISTS',
      );
      const byEmail = await Users.getUsers({ email: 'ada@example.com' });
      assert.deepEqual(byEmail.users.map((u) => u.id), [id]);
      assert.equal(byEmail.users[0].email, 'ada@example.com');

      // The same user through the Logto dialect.
      const logto = logtoClient(orgd.url);
      const seen = logtoExpect(assert, await logto.GET('/api/users/{userId}', { params: { path: { userId: id } } }), 200);
      assert.equal(seen.primaryEmail, 'ada@example.com');
      assert.equal(seen.username, 'ada');

      assert.deepEqual(await Users.deleteUser({ id }), success);
      await kindeRejects(assert, Users.getUserData({ id }), 400, 'USER_NOT_FOUND');
    });

    it('pages through users with next_token', async () => {
      const { Users } = sdk;
      const made = new Set();
      for (let i = 0; i < 5; i++) {
        made.add((await Users.createUser({ requestBody: { profile: { given_name: `Pager${i}` } } })).id);
      }
      const seen = [];
      let nextToken;
      let guard = 0;
      do {
        const page = await Users.getUsers({ pageSize: 2, nextToken });
        seen.push(...page.users.map((u) => u.id));
        nextToken = page.next_token ?? undefined;
      } while (nextToken && ++guard < 20);
      assert.equal(new Set(seen).size, seen.length);
      for (const id of made) assert.ok(seen.includes(id));
    });

    it('manages roles, permissions and role permissions', async () => {
      const { Roles, Permissions } = sdk;
      const perm = await Permissions.createPermission({ requestBody: { key: 'read:reports', name: 'Read reports' } });
      const permId = perm.permission.id;
      const role = await Roles.createRole({ requestBody: { key: 'analyst', name: 'Analyst', is_default_role: false } });
      const roleId = role.role.id;
      const got = await Roles.getRole({ roleId });
      assert.deepEqual(got.role, { id: roleId, key: 'analyst', name: 'Analyst', description: null, is_default_role: false });
      const changed = await Roles.updateRolePermissions({ roleId, requestBody: { permissions: [{ id: permId }] } });
      assert.deepEqual(changed.permissions_added, [permId]);
      const perms = await Roles.getRolePermissions({ roleId });
      assert.deepEqual(perms.permissions.map((p) => p.key), ['read:reports']);
      await Roles.updateRoles({ roleId, requestBody: { name: 'Senior analyst', key: 'analyst' } });
      assert.equal((await Roles.getRole({ roleId })).role.name, 'Senior analyst');
      const roles = await Roles.getRoles({});
      assert.ok(roles.roles.some((r) => r.id === roleId));
      await kindeRejects(assert, Roles.createRole({ requestBody: { key: 'analyst' } }), 400, 'ROLE_KEY_EXISTS');
      // Role scopes: API scopes linked to the role.
      const { Apis } = sdk;
      const apiId = (await Apis.addApis({ requestBody: { name: 'Reports API', audience: 'https://reports.example' } })).api.id;
      const scopeId = (await Apis.addApiScope({ apiId, requestBody: { key: 'reports:export' } })).scope.id;
      const added = await Roles.addRoleScope({ roleId, requestBody: { scope_id: scopeId } });
      assert.deepEqual(added, { code: 'ROLE_SCOPE_ADDED', message: 'Scope added to role' });
      const roleScopes = await Roles.getRoleScopes({ roleId });
      assert.deepEqual(roleScopes.scopes.map((x) => [x.id, x.key, x.api_id]), [[scopeId, 'reports:export', apiId]]);
      const removed = await Roles.deleteRoleScope({ roleId, scopeId });
      assert.deepEqual(removed, { code: 'SCOPE_DELETED', message: 'Scope deleted from role' });
      await kindeRejects(assert, Roles.deleteRoleScope({ roleId, scopeId }), 400, 'SCOPE_NOT_ASSIGNED');
      await Roles.removeRolePermission({ roleId, permissionId: permId });
      assert.deepEqual((await Roles.getRolePermissions({ roleId })).permissions, []);
      await Permissions.updatePermissions({ permissionId: permId, requestBody: { description: 'Reports' } });
      const listed = await Permissions.getPermissions({});
      assert.equal(listed.permissions.find((p) => p.id === permId).description, 'Reports');
      await Permissions.deletePermission({ permissionId: permId });
      await Roles.deleteRole({ roleId });
      await kindeRejects(assert, Roles.getRole({ roleId }), 400, 'ROLE_NOT_FOUND');
    });

    it('adds organization users with roles and permissions and reads them back', async () => {
      const { Organizations, Users, Roles, Permissions, Apis } = sdk;
      const code = (await Organizations.createOrganization({ requestBody: { name: 'Team' } })).organization.code;
      const perm = (await Permissions.createPermission({ requestBody: { key: 'edit:docs' } })).permission.id;
      const direct = (await Permissions.createPermission({ requestBody: { key: 'share:docs' } })).permission.id;
      const editor = (await Roles.createRole({ requestBody: { key: 'editor' } })).role.id;
      const member = (await Roles.createRole({ requestBody: { key: 'member', is_default_role: true } })).role.id;
      await Roles.updateRolePermissions({ roleId: editor, requestBody: { permissions: [{ id: perm }] } });
      const u1 = (await Users.createUser({ requestBody: { identities: [{ type: 'email', details: { email: 'u1@team.io' } }] } })).id;
      const u2 = (await Users.createUser({ requestBody: { identities: [{ type: 'email', details: { email: 'u2@team.io' } }] } })).id;

      const added = await Organizations.addOrganizationUsers({
        orgCode: code,
        requestBody: { users: [{ id: u1, roles: ['editor'], permissions: ['share:docs'] }, { id: u2 }] },
      });
      assert.deepEqual(new Set(added.users_added), new Set([u1, u2]));
      await kindeRejects(
        assert,
        Organizations.addOrganizationUsers({ orgCode: code, requestBody: { users: [{ id: u1, roles: ['nope'] }] } }),
        400,
        'ROLE_NOT_FOUND',
      );

      const list = await Organizations.getOrganizationUsers({ orgCode: code, sort: 'email_asc' });
      assert.deepEqual(list.organization_users.map((u) => u.email), ['u1@team.io', 'u2@team.io']);
      assert.deepEqual(new Set(list.organization_users[0].roles), new Set(['editor', 'member']));
      const editors = await Organizations.getOrganizationUsers({ orgCode: code, roles: 'editor,member' });
      assert.deepEqual(editors.organization_users.map((u) => u.id), [u1]);
      const withPerm = await Organizations.getOrganizationUsers({ orgCode: code, permissions: 'edit:docs,share:docs' });
      assert.deepEqual(withPerm.organization_users.map((u) => u.id), [u1]);

      const roles = await Organizations.getOrganizationUserRoles({ orgCode: code, userId: u2 });
      assert.deepEqual(roles.roles.map((r) => r.key), ['member']);
      assert.deepEqual(await Organizations.createOrganizationUserRole({ orgCode: code, userId: u2, requestBody: { role_id: editor } }), success);
      const holders = await Organizations.getOrganizationRoleUsers({ orgCode: code, roleId: editor });
      assert.deepEqual(new Set(holders.users.map((u) => u.id)), new Set([u1, u2]));
      await Organizations.deleteOrganizationUserRole({ orgCode: code, userId: u2, roleId: editor });
      await kindeRejects(
        assert,
        Organizations.deleteOrganizationUserRole({ orgCode: code, userId: u2, roleId: editor }),
        400,
        'ROLE_NOT_ASSIGNED',
      );

      const perms = await Organizations.getOrganizationUserPermissions({ orgCode: code, userId: u1, expand: 'roles' });
      assert.deepEqual(perms.permissions.map((p) => p.key), ['edit:docs', 'share:docs']);
      assert.deepEqual(perms.permissions[0].roles, [{ id: editor, key: 'editor' }]);
      assert.deepEqual(perms.permissions[1].roles, []);
      await Organizations.createOrganizationUserPermission({ orgCode: code, userId: u2, requestBody: { permission_id: direct } });
      await Organizations.deleteOrganizationUserPermission({ orgCode: code, userId: u2, permissionId: direct });

      const api = (await Apis.addApis({ requestBody: { name: 'Docs API', audience: 'https://docs.example' } })).api.id;
      const scope = (await Apis.addApiScope({ apiId: api, requestBody: { key: 'docs:write' } })).scope.id;
      await Organizations.addOrganizationUserApiScope({ orgCode: code, userId: u1, apiId: api, scopeId: scope });
      await Organizations.deleteOrganizationUserApiScope({ orgCode: code, userId: u1, apiId: api, scopeId: scope });

      assert.deepEqual(await Organizations.getOrgUserMfa({ orgCode: code, userId: u1 }), success);
      await Organizations.resetOrgUserMfaAll({ orgCode: code, userId: u1 });
      await kindeRejects(assert, Organizations.resetOrgUserMfa({ orgCode: code, userId: u1, factorId: 'mfa_none' }), 404, 'MFA_FACTOR_NOT_FOUND');

      const patched = await Organizations.updateOrganizationUsers({
        orgCode: code,
        requestBody: { users: [{ id: u2, operation: 'delete' }] },
      });
      assert.deepEqual(patched.users_removed, [u2]);
      await Organizations.removeOrganizationUser({ orgCode: code, userId: u1 });
      assert.deepEqual((await Organizations.getOrganizationUsers({ orgCode: code })).organization_users, []);
      await kindeRejects(assert, Organizations.getOrganizationUserRoles({ orgCode: code, userId: u1 }), 400, 'USER_NOT_IN_ORGANIZATION');

      const roleUsers = await Roles.getRoleUsers({ roleId: member });
      assert.deepEqual(roleUsers.users, []);
    });
  });
}
