// Logto SDK: the organization template (organization roles and scopes), members and member roles,
// and the user and resource calls they need.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { logtoClient, logtoExpect } from '../clients.js';

const path = (params) => ({ params: { path: params } });

for (const engine of engines()) {
  describe(`Logto organization template and members (${engine})`, () => {
    let orgd;
    let api;
    const expect = (result, status) => logtoExpect(assert, result, status);
    before(async () => {
      orgd = await startOrgd(engine);
      api = logtoClient(orgd.url);
    });
    after(async () => orgd?.stop());

    it('manages organization scopes', async () => {
      const read = expect(await api.POST('/api/organization-scopes', { body: { name: 'read:docs', description: 'Read' } }), 201);
      assert.equal(read.name, 'read:docs');
      assert.equal(read.description, 'Read');
      assert.equal(read.tenantId, 'default');
      const dup = expect(await api.POST('/api/organization-scopes', { body: { name: 'read:docs' } }), 422);
      assert.equal(dup.code, 'entity.unique_integrity_violation');
      assert.deepEqual(expect(await api.GET('/api/organization-scopes/{id}', path({ id: read.id })), 200), read);
      const patched = expect(
        await api.PATCH('/api/organization-scopes/{id}', { ...path({ id: read.id }), body: { description: null } }),
        200,
      );
      assert.deepEqual(patched, { ...read, description: null });
      const write = expect(await api.POST('/api/organization-scopes', { body: { name: 'write:docs' } }), 201);
      const all = expect(await api.GET('/api/organization-scopes', {}), 200);
      assert.deepEqual(all.map((s) => s.name), ['read:docs', 'write:docs']);
      const paged = await api.GET('/api/organization-scopes', { params: { query: { page: 1, page_size: 1 } } });
      assert.equal(paged.response.headers.get('total-number'), '2');
      assert.equal(expect(paged, 200).length, 1);
      expect(await api.DELETE('/api/organization-scopes/{id}', path({ id: write.id })), 204);
      const missing = expect(await api.GET('/api/organization-scopes/{id}', path({ id: write.id })), 404);
      assert.equal(missing.code, 'entity.not_exists_with_id');
    });

    it('manages organization roles with scopes and resource scopes', async () => {
      const scope = expect(await api.POST('/api/organization-scopes', { body: { name: 'manage:billing' } }), 201);
      const resource = expect(await api.POST('/api/resources', { body: { name: 'Billing', indicator: 'https://billing.example' } }), 201);
      const rscope = expect(
        await api.POST('/api/resources/{resourceId}/scopes', { params: { path: { resourceId: resource.id } }, body: { name: 'invoices:read' } }),
        201,
      );
      const role = expect(
        await api.POST('/api/organization-roles', {
          body: { name: 'billing-admin', description: 'Billing', organizationScopeIds: [scope.id], resourceScopeIds: [rscope.id] },
        }),
        201,
      );
      assert.equal(role.type, 'User');
      assert.deepEqual(expect(await api.GET('/api/organization-roles/{id}', path({ id: role.id })), 200), role);
      const scopes = expect(await api.GET('/api/organization-roles/{id}/scopes', path({ id: role.id })), 200);
      assert.deepEqual(scopes.map((s) => s.id), [scope.id]);
      const rscopes = expect(await api.GET('/api/organization-roles/{id}/resource-scopes', path({ id: role.id })), 200);
      assert.deepEqual(rscopes.map((s) => s.id), [rscope.id]);

      // All or nothing: an unknown scope id leaves no role behind.
      const failed = expect(
        await api.POST('/api/organization-roles', { body: { name: 'ghost', organizationScopeIds: ['nope'], resourceScopeIds: [] } }),
        422,
      );
      assert.equal(failed.code, 'entity.relation_foreign_key_not_found');
      const list = expect(await api.GET('/api/organization-roles', { params: { query: { q: 'ghost' } } }), 200);
      assert.deepEqual(list, []);

      expect(await api.PUT('/api/organization-roles/{id}/scopes', { ...path({ id: role.id }), body: { organizationScopeIds: [] } }), 204);
      assert.deepEqual(expect(await api.GET('/api/organization-roles/{id}/scopes', path({ id: role.id })), 200), []);
      expect(await api.POST('/api/organization-roles/{id}/scopes', { ...path({ id: role.id }), body: { organizationScopeIds: [scope.id] } }), 201);
      expect(await api.DELETE('/api/organization-roles/{id}/scopes/{organizationScopeId}', path({ id: role.id, organizationScopeId: scope.id })), 204);
      expect(await api.DELETE('/api/organization-roles/{id}/resource-scopes/{scopeId}', path({ id: role.id, scopeId: rscope.id })), 204);
      expect(await api.PUT('/api/organization-roles/{id}/resource-scopes', { ...path({ id: role.id }), body: { scopeIds: [rscope.id] } }), 204);
      expect(await api.POST('/api/organization-roles/{id}/resource-scopes', { ...path({ id: role.id }), body: { scopeIds: [rscope.id] } }), 201);

      const patched = expect(await api.PATCH('/api/organization-roles/{id}', { ...path({ id: role.id }), body: { name: 'billing-owner' } }), 200);
      assert.deepEqual(patched, { ...role, name: 'billing-owner' });
      expect(await api.DELETE('/api/organization-roles/{id}', path({ id: role.id })), 204);
      assert.equal(expect(await api.GET('/api/organization-roles/{id}', path({ id: role.id })), 404).code, 'entity.not_found');
    });

    it('adds members, gives them roles and reports their scopes', async () => {
      const org = expect(await api.POST('/api/organizations', { body: { name: 'Members Inc' } }), 201);
      const alice = expect(await api.POST('/api/users', { body: { username: 'alice', primaryEmail: 'alice@example.com', name: 'Alice' } }), 200);
      const bob = expect(await api.POST('/api/users', { body: { username: 'bob', password: 'hunter2-but-longer' } }), 200);
      assert.equal(bob.hasPassword, true);
      const scope = expect(await api.POST('/api/organization-scopes', { body: { name: 'read:members' } }), 201);
      const viewer = expect(await api.POST('/api/organization-roles', { body: { name: 'viewer', organizationScopeIds: [scope.id], resourceScopeIds: [] } }), 201);
      const machine = expect(
        await api.POST('/api/organization-roles', { body: { name: 'robot', type: 'MachineToMachine', organizationScopeIds: [], resourceScopeIds: [] } }),
        201,
      );

      const added = expect(await api.POST('/api/organizations/{id}/users', { ...path({ id: org.id }), body: { userIds: [alice.id, alice.id] } }), 201);
      assert.deepEqual(added, { userIds: [alice.id, alice.id] });
      const unknown = expect(await api.POST('/api/organizations/{id}/users', { ...path({ id: org.id }), body: { userIds: ['nobody'] } }), 422);
      assert.equal(unknown.code, 'entity.relation_foreign_key_not_found');

      const assigned = expect(
        await api.POST('/api/organizations/{id}/users/{userId}/roles', {
          ...path({ id: org.id, userId: alice.id }),
          body: { organizationRoleNames: ['viewer'] },
        }),
        201,
      );
      assert.deepEqual(assigned, { organizationRoleIds: [viewer.id] });
      const m2m = expect(
        await api.POST('/api/organizations/{id}/users/{userId}/roles', { ...path({ id: org.id, userId: alice.id }), body: { organizationRoleIds: [machine.id] } }),
        422,
      );
      assert.equal(m2m.code, 'entity.db_constraint_violated');
      const roles = expect(await api.GET('/api/organizations/{id}/users/{userId}/roles', path({ id: org.id, userId: alice.id })), 200);
      assert.deepEqual(roles.map((r) => r.name), ['viewer']);
      const scopes = expect(await api.GET('/api/organizations/{id}/users/{userId}/scopes', path({ id: org.id, userId: alice.id })), 200);
      assert.deepEqual(scopes.map((s) => s.name), ['read:members']);

      // Replace keeps staying members' roles.
      expect(await api.PUT('/api/organizations/{id}/users', { ...path({ id: org.id }), body: { userIds: [alice.id, bob.id] } }), 204);
      const members = await api.GET('/api/organizations/{id}/users', { params: { path: { id: org.id }, query: { page: 1, page_size: 20 } } });
      assert.equal(members.response.headers.get('total-number'), '2');
      const byId = Object.fromEntries(expect(members, 200).map((m) => [m.id, m]));
      assert.deepEqual(byId[alice.id].organizationRoles, [{ id: viewer.id, name: 'viewer' }]);
      assert.deepEqual(byId[bob.id].organizationRoles, []);

      expect(await api.POST('/api/organizations/{id}/users/roles', { ...path({ id: org.id }), body: { userIds: [bob.id], organizationRoleIds: [viewer.id] } }), 201);
      expect(await api.PUT('/api/organizations/{id}/users/{userId}/roles', { ...path({ id: org.id, userId: bob.id }), body: { organizationRoleIds: [] } }), 204);
      expect(await api.DELETE('/api/organizations/{id}/users/{userId}/roles/{organizationRoleId}', path({ id: org.id, userId: alice.id, organizationRoleId: viewer.id })), 204);
      expect(await api.DELETE('/api/organizations/{id}/users/{userId}', path({ id: org.id, userId: bob.id })), 204);
      const notMember = expect(await api.GET('/api/organizations/{id}/users/{userId}/roles', path({ id: org.id, userId: bob.id })), 422);
      assert.equal(notMember.code, 'organization.require_membership');

      const orgs = expect(await api.GET('/api/users/{userId}/organizations', path({ userId: alice.id })), 200);
      assert.deepEqual(orgs.map((o) => [o.id, o.organizationRoles]), [[org.id, []]]);
      expect(await api.DELETE('/api/users/{userId}', path({ userId: alice.id })), 204);
      const after = expect(await api.GET('/api/organizations/{id}/users', path({ id: org.id })), 200);
      assert.deepEqual(after, []);
    });
  });
}
