// Logto SDK: organization applications and their roles, JIT provisioning rules (email domains,
// roles, SSO connectors), invitations, and the application, resource and SSO-connector calls they
// need.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { logtoClient, logtoExpect } from '../clients.js';

const path = (params) => ({ params: { path: params } });

for (const engine of engines()) {
  describe(`Logto applications, JIT and invitations (${engine})`, () => {
    let orgd;
    let api;
    const expect = (result, status) => logtoExpect(assert, result, status);
    before(async () => {
      orgd = await startOrgd(engine);
      api = logtoClient(orgd.url);
    });
    after(async () => orgd?.stop());

    it('adds machine-to-machine applications to organizations with roles', async () => {
      const org = expect(await api.POST('/api/organizations', { body: { name: 'Apps Org' } }), 201);
      const m2m = expect(await api.POST('/api/applications', { body: { name: 'Worker', type: 'MachineToMachine' } }), 200);
      const spa = expect(await api.POST('/api/applications', { body: { name: 'Front', type: 'SPA' } }), 200);
      assert.deepEqual(expect(await api.GET('/api/applications/{id}', path({ id: m2m.id })), 200), { ...m2m, isAdmin: false });
      const robot = expect(
        await api.POST('/api/organization-roles', { body: { name: 'robot', type: 'MachineToMachine', organizationScopeIds: [], resourceScopeIds: [] } }),
        201,
      );
      const human = expect(await api.POST('/api/organization-roles', { body: { name: 'human', organizationScopeIds: [], resourceScopeIds: [] } }), 201);

      expect(await api.POST('/api/organizations/{id}/applications', { ...path({ id: org.id }), body: { applicationIds: [m2m.id] } }), 201);
      const refused = expect(await api.POST('/api/organizations/{id}/applications', { ...path({ id: org.id }), body: { applicationIds: [spa.id] } }), 422);
      assert.equal(refused.code, 'entity.db_constraint_violated');
      const list = expect(await api.GET('/api/organizations/{id}/applications', path({ id: org.id })), 200);
      assert.deepEqual(list, [{ ...m2m, organizationRoles: [] }]);

      expect(await api.POST('/api/organizations/{id}/applications/{applicationId}/roles', { ...path({ id: org.id, applicationId: m2m.id }), body: { organizationRoleIds: [robot.id] } }), 201);
      const wrongType = expect(
        await api.POST('/api/organizations/{id}/applications/{applicationId}/roles', { ...path({ id: org.id, applicationId: m2m.id }), body: { organizationRoleIds: [human.id] } }),
        422,
      );
      assert.equal(wrongType.code, 'entity.db_constraint_violated');
      const roles = expect(await api.GET('/api/organizations/{id}/applications/{applicationId}/roles', path({ id: org.id, applicationId: m2m.id })), 200);
      assert.deepEqual(roles.map((r) => r.id), [robot.id]);
      const dup = expect(
        await api.PUT('/api/organizations/{id}/applications/{applicationId}/roles', { ...path({ id: org.id, applicationId: m2m.id }), body: { organizationRoleIds: [robot.id, robot.id] } }),
        422,
      );
      assert.equal(dup.code, 'entity.unique_integrity_violation');
      expect(await api.PUT('/api/organizations/{id}/applications/{applicationId}/roles', { ...path({ id: org.id, applicationId: m2m.id }), body: { organizationRoleIds: [robot.id] } }), 204);
      expect(await api.POST('/api/organizations/{id}/applications/roles', { ...path({ id: org.id }), body: { applicationIds: [m2m.id], organizationRoleIds: [robot.id] } }), 201);
      const orgs = expect(await api.GET('/api/applications/{id}/organizations', path({ id: m2m.id })), 200);
      assert.deepEqual(orgs.map((o) => [o.id, o.organizationRoles.map((r) => r.id)]), [[org.id, [robot.id]]]);
      expect(await api.DELETE('/api/organizations/{id}/applications/{applicationId}/roles/{organizationRoleId}', path({ id: org.id, applicationId: m2m.id, organizationRoleId: robot.id })), 204);
      // Replace keeps the staying application; [] removes it.
      expect(await api.PUT('/api/organizations/{id}/applications', { ...path({ id: org.id }), body: { applicationIds: [m2m.id] } }), 204);
      expect(await api.DELETE('/api/organizations/{id}/applications/{applicationId}', path({ id: org.id, applicationId: m2m.id })), 204);
      assert.deepEqual(expect(await api.GET('/api/organizations/{id}/applications', path({ id: org.id })), 200), []);
      const apps = expect(await api.GET('/api/applications', { params: { query: { types: ['MachineToMachine'] } } }), 200);
      assert.deepEqual(apps.map((a) => a.id), [m2m.id]);
      expect(await api.DELETE('/api/applications/{id}', path({ id: spa.id })), 204);
    });

    it('keeps JIT email domains, roles and SSO connectors per organization', async () => {
      const org = expect(await api.POST('/api/organizations', { body: { name: 'JIT Org' } }), 201);
      const row = expect(await api.POST('/api/organizations/{id}/jit/email-domains', { ...path({ id: org.id }), body: { emailDomain: 'jit.example' } }), 201);
      assert.deepEqual(row, { tenantId: 'default', organizationId: org.id, emailDomain: 'jit.example' });
      const again = expect(await api.POST('/api/organizations/{id}/jit/email-domains', { ...path({ id: org.id }), body: { emailDomain: 'jit.example' } }), 422);
      assert.equal(again.code, 'entity.unique_integrity_violation');
      expect(await api.PUT('/api/organizations/{id}/jit/email-domains', { ...path({ id: org.id }), body: { emailDomains: ['a.example', 'b.example'] } }), 204);
      const domains = expect(await api.GET('/api/organizations/{id}/jit/email-domains', path({ id: org.id })), 200);
      assert.deepEqual(domains.map((d) => d.emailDomain), ['a.example', 'b.example']);
      expect(await api.DELETE('/api/organizations/{id}/jit/email-domains/{emailDomain}', path({ id: org.id, emailDomain: 'a.example' })), 204);

      const role = expect(await api.POST('/api/organization-roles', { body: { name: 'jit-member', organizationScopeIds: [], resourceScopeIds: [] } }), 201);
      expect(await api.POST('/api/organizations/{id}/jit/roles', { ...path({ id: org.id }), body: { organizationRoleIds: [role.id] } }), 201);
      assert.deepEqual(expect(await api.GET('/api/organizations/{id}/jit/roles', path({ id: org.id })), 200).map((r) => r.id), [role.id]);
      expect(await api.PUT('/api/organizations/{id}/jit/roles', { ...path({ id: org.id }), body: { organizationRoleIds: [role.id] } }), 204);

      const connector = expect(
        await api.POST('/api/sso-connectors', { body: { providerName: 'OIDC', connectorName: 'Corp IdP', domains: ['Corp.Example'] } }),
        200,
      );
      assert.deepEqual(connector.domains, ['corp.example']);
      const fetched = expect(await api.GET('/api/sso-connectors/{id}', path({ id: connector.id })), 200);
      assert.equal(fetched.providerType, 'oidc');
      expect(await api.POST('/api/organizations/{id}/jit/sso-connectors', { ...path({ id: org.id }), body: { ssoConnectorIds: [connector.id] } }), 201);
      const linked = expect(await api.GET('/api/organizations/{id}/jit/sso-connectors', path({ id: org.id })), 200);
      assert.deepEqual(linked.map((c) => c.id), [connector.id]);
      expect(await api.PUT('/api/organizations/{id}/jit/sso-connectors', { ...path({ id: org.id }), body: { ssoConnectorIds: [] } }), 204);
      expect(await api.POST('/api/organizations/{id}/jit/sso-connectors', { ...path({ id: org.id }), body: { ssoConnectorIds: [connector.id] } }), 201);
      expect(await api.DELETE('/api/organizations/{id}/jit/sso-connectors/{ssoConnectorId}', path({ id: org.id, ssoConnectorId: connector.id })), 204);
      expect(await api.DELETE('/api/organizations/{id}/jit/roles/{organizationRoleId}', path({ id: org.id, organizationRoleId: role.id })), 204);
      const connectors = expect(await api.GET('/api/sso-connectors', {}), 200);
      assert.deepEqual(connectors.map((c) => c.id), [connector.id]);
      expect(await api.DELETE('/api/sso-connectors/{id}', path({ id: connector.id })), 204);
    });

    it('invites, accepts and revokes', async () => {
      const org = expect(await api.POST('/api/organizations', { body: { name: 'Invite Org' } }), 201);
      const role = expect(await api.POST('/api/organization-roles', { body: { name: 'guest', organizationScopeIds: [], resourceScopeIds: [] } }), 201);
      const expiresAt = Date.now() + 3600_000;
      const invitation = expect(
        await api.POST('/api/organization-invitations', {
          body: { invitee: 'Guest@Example.com', organizationId: org.id, expiresAt, organizationRoleIds: [role.id] },
        }),
        201,
      );
      assert.equal(invitation.status, 'Pending');
      assert.deepEqual(invitation.organizationRoles, [{ id: role.id, name: 'guest' }]);
      assert.deepEqual(expect(await api.GET('/api/organization-invitations/{id}', path({ id: invitation.id })), 200), invitation);
      const dup = expect(
        await api.POST('/api/organization-invitations', { body: { invitee: 'guest@example.com', organizationId: org.id, expiresAt } }),
        422,
      );
      assert.equal(dup.code, 'entity.unique_integrity_violation');
      const listed = expect(await api.GET('/api/organization-invitations', { params: { query: { organizationId: org.id } } }), 200);
      assert.deepEqual(listed.map((i) => i.id), [invitation.id]);

      const guest = expect(await api.POST('/api/users', { body: { primaryEmail: 'guest@example.com' } }), 200);
      const accepted = expect(
        await api.PUT('/api/organization-invitations/{id}/status', { ...path({ id: invitation.id }), body: { status: 'Accepted', acceptedUserId: guest.id } }),
        200,
      );
      assert.equal(accepted.status, 'Accepted');
      assert.equal(accepted.acceptedUserId, guest.id);
      const roles = expect(await api.GET('/api/organizations/{id}/users/{userId}/roles', path({ id: org.id, userId: guest.id })), 200);
      assert.deepEqual(roles.map((r) => r.id), [role.id]);
      const twice = expect(
        await api.PUT('/api/organization-invitations/{id}/status', { ...path({ id: invitation.id }), body: { status: 'Revoked' } }),
        422,
      );
      assert.equal(twice.code, 'request.invalid_input');

      const other = expect(
        await api.POST('/api/organization-invitations', { body: { invitee: 'other@example.com', organizationId: org.id, expiresAt } }),
        201,
      );
      const message = expect(await api.POST('/api/organization-invitations/{id}/message', { ...path({ id: other.id }), body: {} }), 501);
      assert.equal(message.code, 'connector.not_found');
      expect(await api.DELETE('/api/organization-invitations/{id}', path({ id: other.id })), 204);
      assert.equal(expect(await api.GET('/api/organization-invitations/{id}', path({ id: other.id })), 404).code, 'entity.not_found');
    });

    it('manages resources and their scopes', async () => {
      const resource = expect(await api.POST('/api/resources', { body: { name: 'Orders', indicator: 'https://orders.example' } }), 201);
      assert.deepEqual(resource.scopes, []);
      assert.equal(resource.accessTokenTtl, 3600);
      const clash = expect(await api.POST('/api/resources', { body: { name: 'Orders 2', indicator: 'https://orders.example' } }), 422);
      assert.equal(clash.code, 'resource.resource_identifier_in_use');
      const scope = expect(await api.POST('/api/resources/{resourceId}/scopes', { params: { path: { resourceId: resource.id } }, body: { name: 'orders:read' } }), 201);
      const spaced = expect(await api.POST('/api/resources/{resourceId}/scopes', { params: { path: { resourceId: resource.id } }, body: { name: 'has space' } }), 400);
      assert.equal(spaced.code, 'scope.name_with_space');
      const scopes = expect(await api.GET('/api/resources/{resourceId}/scopes', { params: { path: { resourceId: resource.id } } }), 200);
      assert.deepEqual(scopes.map((s) => s.id), [scope.id]);
      const all = expect(await api.GET('/api/resources', { params: { query: { includeScopes: 'true' } } }), 200);
      assert.deepEqual(all.find((r) => r.id === resource.id).scopes.map((s) => s.name), ['orders:read']);
      expect(await api.DELETE('/api/resources/{resourceId}/scopes/{scopeId}', { params: { path: { resourceId: resource.id, scopeId: scope.id } } }), 204);
      expect(await api.DELETE('/api/resources/{id}', path({ id: resource.id })), 204);
      assert.equal(expect(await api.GET('/api/resources/{id}', path({ id: resource.id })), 404).code, 'entity.not_exists_with_id');
    });
  });
}
