// Kinde SDK: the Organizations module's organization operations (create, get, list, update,
// delete, delete handle) against orgd.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { kindeClient, kindeRejects } from '../clients.js';

for (const engine of engines()) {
  describe(`Kinde organizations (${engine})`, () => {
    let orgd;
    let sdk;
    before(async () => {
      orgd = await startOrgd(engine);
      sdk = kindeClient(orgd.url);
    });
    after(async () => orgd?.stop());

    it('creates, reads, updates and deletes an organization', async () => {
      const { Organizations } = sdk;
      const created = await Organizations.createOrganization({
        requestBody: { name: 'Acme', handle: 'acme', background_color: '#fff', external_id: 'ext-1' },
      });
      assert.equal(created.code, 'OK');
      const code = created.organization.code;
      assert.match(code, /^org_[0-9a-f]{11}$/);

      const org = await Organizations.getOrganization({ code });
      assert.equal(org.code, code);
      assert.equal(org.name, 'Acme');
      assert.equal(org.handle, 'acme');
      assert.equal(org.external_id, 'ext-1');
      assert.deepEqual(org.background_color, { raw: '#fff', hex: '#ffffff', hsl: 'hsl(0, 0%, 100%)' });
      assert.equal(org.theme_code, 'light');
      assert.deepEqual(org.allowed_domains, []);

      const updated = await Organizations.updateOrganization({
        orgCode: code,
        requestBody: { name: 'Acme Ltd', allowed_domains: ['Acme.COM', 'acme.com'], theme_code: 'dark' },
      });
      assert.deepEqual(updated, { code: 'OK', message: 'Success' });
      const again = await Organizations.getOrganization({ code });
      assert.equal(again.name, 'Acme Ltd');
      assert.deepEqual(again.allowed_domains, ['acme.com']);
      assert.equal(again.color_scheme, 'dark');

      await Organizations.deleteOrganizationHandle({ orgCode: code });
      assert.equal((await Organizations.getOrganization({ code })).handle, null);

      await Organizations.deleteOrganization({ orgCode: code });
      await kindeRejects(assert, Organizations.getOrganization({ code }), 400, 'ORGANIZATION_NOT_FOUND');
      await kindeRejects(assert, Organizations.deleteOrganization({ orgCode: code }), 404, 'ORGANIZATION_NOT_FOUND');
    });

    it('lists every organization exactly once by following next_token', async () => {
      const { Organizations } = sdk;
      const made = new Set();
      for (let i = 0; i < 7; i++) {
        const res = await Organizations.createOrganization({ requestBody: { name: `Paged ${i}` } });
        made.add(res.organization.code);
      }
      const seen = [];
      let nextToken;
      let pages = 0;
      do {
        const page = await Organizations.getOrganizations({ pageSize: 3, nextToken, sort: 'name_asc' });
        assert.equal(page.code, 'OK');
        assert.ok(page.organizations.length <= 3);
        seen.push(...page.organizations.map((o) => o.code));
        nextToken = page.next_token ?? undefined;
        pages++;
      } while (nextToken && pages < 20);
      const paged = seen.filter((c) => made.has(c));
      assert.equal(paged.length, made.size);
      assert.equal(new Set(seen).size, seen.length, 'no organization twice');
    });

    it('answers errors as the SDK ApiError with the contract code', async () => {
      const { Organizations } = sdk;
      await kindeRejects(assert, Organizations.createOrganization({ requestBody: { name: '' } }), 400, 'NAME_REQUIRED');
      await kindeRejects(assert, Organizations.getOrganizations({ pageSize: 501 }), 400, 'PAGE_SIZE_LIMIT_EXCEEDED');
      await kindeRejects(assert, Organizations.getOrganizations({ nextToken: 'garbage' }), 400, 'INVALID_NEXT_TOKEN');
    });
  });
}
