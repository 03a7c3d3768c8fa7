// One core, two dialects: what one official SDK writes, the other official SDK reads back.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { kindeClient, logtoClient, logtoExpect } from '../clients.js';

const path = (params) => ({ params: { path: params } });

for (const engine of engines()) {
  describe(`Cross-dialect through the SDKs (${engine})`, () => {
    let orgd;
    let logto;
    let kinde;
    const expect = (result, status) => logtoExpect(assert, result, status);
    before(async () => {
      orgd = await startOrgd(engine);
      logto = logtoClient(orgd.url);
      kinde = kindeClient(orgd.url);
    });
    after(async () => orgd?.stop());

    it('writes through @logto/api and reads through @kinde/management-api-js', async () => {
      const org = expect(await logto.POST('/api/organizations', { body: { name: 'Written by Logto', isMfaRequired: true } }), 201);
      const scope = expect(await logto.POST('/api/organization-scopes', { body: { name: 'docs:read' } }), 201);
      const role = expect(await logto.POST('/api/organization-roles', { body: { name: 'reader', organizationScopeIds: [scope.id], resourceScopeIds: [] } }), 201);
      const user = expect(await logto.POST('/api/users', { body: { primaryEmail: 'logto.user@example.com', username: 'logto_user' } }), 200);
      expect(await logto.POST('/api/organizations/{id}/users', { ...path({ id: org.id }), body: { userIds: [user.id] } }), 201);
      expect(await logto.POST('/api/organizations/{id}/users/{userId}/roles', { ...path({ id: org.id, userId: user.id }), body: { organizationRoleIds: [role.id] } }), 201);

      const { Organizations, Roles, Permissions, Users } = kinde;
      const read = await Organizations.getOrganization({ code: org.id });
      assert.equal(read.code, org.id);
      assert.equal(read.name, 'Written by Logto');
      const members = await Organizations.getOrganizationUsers({ orgCode: org.id });
      assert.deepEqual(members.organization_users.map((m) => [m.id, m.email, m.roles]), [[user.id, 'logto.user@example.com', ['reader']]]);
      const perms = await Organizations.getOrganizationUserPermissions({ orgCode: org.id, userId: user.id, expand: 'roles' });
      assert.deepEqual(perms.permissions.map((p) => [p.id, p.key, p.roles]), [[scope.id, 'docs:read', [{ id: role.id, key: 'reader' }]]]);
      assert.equal((await Roles.getRole({ roleId: role.id })).role.key, 'reader');
      assert.ok((await Permissions.getPermissions({})).permissions.some((p) => p.id === scope.id && p.key === 'docs:read'));
      const kUser = await Users.getUserData({ id: user.id, expand: 'organizations' });
      assert.equal(kUser.preferred_email, 'logto.user@example.com');
      assert.deepEqual(kUser.organizations, [org.id]);
    });

    it('writes through @kinde/management-api-js and reads through @logto/api', async () => {
      const { Organizations, Roles, Permissions, Users } = kinde;
      const code = (await Organizations.createOrganization({ requestBody: { name: 'Written by Kinde' } })).organization.code;
      const permId = (await Permissions.createPermission({ requestBody: { key: 'billing:view', name: 'View billing' } })).permission.id;
      const roleId = (await Roles.createRole({ requestBody: { key: 'accountant', name: 'Accountant' } })).role.id;
      await Roles.updateRolePermissions({ roleId, requestBody: { permissions: [{ id: permId }] } });
      const userId = (
        await Users.createUser({
          requestBody: {
            profile: { given_name: 'Kim', family_name: 'Kinde' },
            identities: [{ type: 'email', details: { email: 'kim@example.com' } }],
          },
        })
      ).id;
      await Organizations.addOrganizationUsers({ orgCode: code, requestBody: { users: [{ id: userId, roles: ['accountant'] }] } });

      const org = expect(await logto.GET('/api/organizations/{id}', path({ id: code })), 200);
      assert.equal(org.name, 'Written by Kinde');
      const members = expect(await logto.GET('/api/organizations/{id}/users', path({ id: code })), 200);
      assert.deepEqual(members.map((m) => [m.id, m.primaryEmail, m.organizationRoles]), [[userId, 'kim@example.com', [{ id: roleId, name: 'accountant' }]]]);
      const scopes = expect(await logto.GET('/api/organizations/{id}/users/{userId}/scopes', path({ id: code, userId })), 200);
      assert.deepEqual(scopes.map((s) => [s.id, s.name]), [[permId, 'billing:view']]);
      const role = expect(await logto.GET('/api/organization-roles/{id}', path({ id: roleId })), 200);
      assert.equal(role.name, 'accountant');
      const orgs = expect(await logto.GET('/api/users/{userId}/organizations', path({ userId })), 200);
      assert.deepEqual(orgs.map((o) => [o.id, o.organizationRoles]), [[code, [{ id: roleId, name: 'accountant' }]]]);
    });
  });
}
