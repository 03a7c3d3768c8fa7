// Kinde SDK: Apis, Connections and the Organizations module's connection, invite, logo, session,
// MFA and passkey operations.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { kindeClient, kindeRejects } from '../clients.js';

const success = { code: 'OK', message: 'Success' };
// A 1x1 transparent PNG.
const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

for (const engine of engines()) {
  describe(`Kinde APIs, connections, invites and organization settings (${engine})`, () => {
    let orgd;
    let sdk;
    let code;
    before(async () => {
      orgd = await startOrgd(engine);
      sdk = kindeClient(orgd.url);
      code = (await sdk.Organizations.createOrganization({ requestBody: { name: 'Settings Co' } })).organization.code;
    });
    after(async () => orgd?.stop());

    it('manages APIs and their scopes', async () => {
      const { Apis } = sdk;
      const id = (await Apis.addApis({ requestBody: { name: 'Payments', audience: 'https://payments.example' } })).api.id;
      await kindeRejects(assert, Apis.addApis({ requestBody: { name: 'Again', audience: 'https://payments.example' } }), 400, 'API_AUDIENCE_EXISTS');
      const scope = (await Apis.addApiScope({ apiId: id, requestBody: { key: 'charge', description: 'Charge cards' } })).scope.id;
      const api = await Apis.getApi({ apiId: id });
      assert.equal(api.api.audience, 'https://payments.example');
      assert.deepEqual(api.api.scopes, [{ id: scope, key: 'charge' }]);
      await Apis.updateApiScope({ apiId: id, scopeId: scope, requestBody: { description: 'Charge' } });
      assert.equal((await Apis.getApiScope({ apiId: id, scopeId: scope })).scope.description, 'Charge');
      assert.equal((await Apis.getApiScopes({ apiId: id })).scopes.length, 1);
      const apis = await Apis.getApis({ expand: 'scopes' });
      assert.deepEqual(apis.apis.map((a) => a.id), [id]);
      await Apis.deleteApiScope({ apiId: id, scopeId: scope });
      const deleted = await Apis.deleteApi({ apiId: id });
      assert.equal(deleted.code, 'API_DELETED');
      await kindeRejects(assert, Apis.getApi({ apiId: id }), 400, 'API_NOT_FOUND');
      await kindeRejects(assert, Apis.updateApiApplications({ apiId: id, requestBody: { applications: [] } }), 404, 'ROUTE_NOT_FOUND');
    });

    it('manages connections and enables them for organizations', async () => {
      const { Connections, Organizations } = sdk;
      const id = (
        await Connections.createConnection({
          requestBody: { name: 'okta-corp', display_name: 'Okta', strategy: 'saml:okta', options: { home_realm_domains: ['corp.example'] } },
        })
      ).connection.id;
      assert.deepEqual((await Connections.getConnection({ connectionId: id })).connection, {
        id,
        name: 'okta-corp',
        display_name: 'Okta',
        strategy: 'saml:okta',
      });
      await Connections.updateConnection({ connectionId: id, requestBody: { display_name: 'Okta SSO' } });
      await Connections.replaceConnection({ connectionId: id, requestBody: { name: 'okta-corp', display_name: 'Okta (corp)' } });
      const byDomain = await Connections.getConnections({ homeRealmDomain: 'corp.example' });
      assert.deepEqual(byDomain.connections.map((c) => c.id), []);
      const listed = await Connections.getConnections({ pageSize: 10 });
      assert.deepEqual(listed.connections, [{ id, name: 'okta-corp', display_name: 'Okta (corp)', strategy: 'saml:okta' }]);
      assert.deepEqual(await Organizations.enableOrgConnection({ organizationCode: code, connectionId: id }), success);
      const enabled = await Organizations.getOrganizationConnections({ organizationCode: code });
      assert.deepEqual(enabled.connections.map((c) => c.id), [id]);
      await Organizations.removeOrgConnection({ organizationCode: code, connectionId: id });
      await kindeRejects(assert, Organizations.removeOrgConnection({ organizationCode: code, connectionId: id }), 400, 'CONNECTION_NOT_ENABLED');
      await Connections.deleteConnection({ connectionId: id });
      await kindeRejects(assert, Connections.deleteConnection({ connectionId: id }), 404, 'CONNECTION_NOT_FOUND');
    });

    it('creates, lists, reads and revokes invites', async () => {
      const { Organizations, Roles } = sdk;
      await Roles.createRole({ requestBody: { key: 'invitee-role', name: 'Invitee' } });
      const created = await Organizations.createOrganizationInvite({
        orgCode: code,
        requestBody: { email: 'new@corp.example', first_name: 'New', roles: ['invitee-role'] },
      });
      assert.equal(created.code, 'INVITATION_CREATED');
      const invite = created.invite;
      assert.equal(invite.email, 'new@corp.example');
      assert.deepEqual(invite.roles, [{ key: 'invitee-role', name: 'Invitee' }]);
      assert.equal(invite.is_sent, false);
      await kindeRejects(
        assert,
        Organizations.createOrganizationInvite({ orgCode: code, requestBody: { email: 'new@corp.example', roles: [] } }),
        400,
        'INVITE_EXISTS',
      );
      const got = await Organizations.getOrganizationInvite({ orgCode: code, inviteCode: invite.code });
      assert.equal(got.email, 'new@corp.example');
      const list = await Organizations.getOrganizationInvites({ orgCode: code });
      assert.deepEqual(list.invites.map((i) => i.code), [invite.code]);
      await Organizations.deleteOrganizationInvite({ orgCode: code, inviteCode: invite.code });
      assert.deepEqual((await Organizations.getOrganizationInvites({ orgCode: code })).invites, []);
      const revoked = await Organizations.getOrganizationInvites({ orgCode: code, includeRevoked: true });
      assert.equal(revoked.invites[0].is_revoked, true);
    });

    it('uploads, reads and deletes logos', async () => {
      const { Organizations } = sdk;
      const logo = new Blob([png], { type: 'image/png' });
      assert.deepEqual(await Organizations.addOrganizationLogo({ orgCode: code, type: 'light', formData: { logo } }), success);
      const logos = await Organizations.readOrganizationLogo({ orgCode: code });
      assert.deepEqual(logos.logos.map((l) => l.type), ['light']);
      const org = await Organizations.getOrganization({ code });
      assert.ok(org.logo.startsWith(`${orgd.url}/logo?org_code=${code}`), org.logo);
      const served = await fetch(org.logo);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
      await kindeRejects(
        assert,
        Organizations.addOrganizationLogo({ orgCode: code, type: 'dark', formData: { logo: new Blob(['not an image']) } }),
        400,
        'INVALID_LOGO',
      );
      assert.deepEqual(await Organizations.deleteOrganizationLogo({ orgCode: code, type: 'light' }), success);
      assert.equal(await Organizations.deleteOrganizationLogo({ orgCode: code, type: 'light' }), undefined);
    });

    it('sets session, MFA and passkey policies', async () => {
      const { Organizations } = sdk;
      assert.deepEqual(
        await Organizations.updateOrganizationSessions({
          orgCode: code,
          requestBody: { is_use_org_authenticated_session_lifetime: true, authenticated_session_lifetime: 3600 },
        }),
        success,
      );
      await kindeRejects(assert, Organizations.updateOrganizationSessions({ orgCode: code, requestBody: {} }), 400, 'NO_FIELDS_TO_UPDATE');
      assert.deepEqual(
        await Organizations.replaceOrganizationMfa({ orgCode: code, requestBody: { enabled_factors: ['mfa:email', 'mfa:authenticator_app'] } }),
        success,
      );
      await kindeRejects(
        assert,
        Organizations.replaceOrganizationMfa({ orgCode: code, requestBody: { enabled_factors: ['mfa:carrier_pigeon'] } }),
        400,
        'INVALID_ENABLED_FACTORS',
      );
      const before = await Organizations.getOrganizationPasskey({ orgCode: code });
      assert.equal(before.policy, 'off');
      assert.equal(before.enabled, false);
      const updated = await Organizations.updateOrganizationPasskey({
        orgCode: code,
        requestBody: { policy: 'mandatory', is_override_environment_passkey_settings: true },
      });
      assert.equal(updated.policy, 'mandatory');
      assert.equal(updated.enabled, true);
      assert.equal((await Organizations.getOrganizationPasskey({ orgCode: code })).policy, 'mandatory');
    });
  });
}
