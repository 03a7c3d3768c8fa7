// Logto SDK (@logto/api management client): organization operations against orgd; the SDK fetches
// its own token from /oidc/token.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { logtoClient } from '../clients.js';

for (const engine of engines()) {
  describe(`Logto organizations (${engine})`, () => {
    let orgd;
    let api;
    before(async () => {
      orgd = await startOrgd(engine);
      api = logtoClient(orgd.url);
    });
    after(async () => orgd?.stop());

    it('creates, reads, updates and deletes an organization', async () => {
      const created = await api.POST('/api/organizations', {
        body: { name: 'Acme', description: 'Widgets', customData: { tier: 'gold' }, isMfaRequired: true },
      });
      assert.equal(created.response.status, 201, JSON.stringify(created.error));
      const org = created.data;
      assert.match(org.id, /^[0-9a-z]{12}$/);
      assert.equal(org.tenantId, 'default');
      assert.equal(org.name, 'Acme');
      assert.deepEqual(org.customData, { tier: 'gold' });
      assert.equal(org.isMfaRequired, true);

      const got = await api.GET('/api/organizations/{id}', { params: { path: { id: org.id } } });
      assert.deepEqual(got.data, org);

      const patched = await api.PATCH('/api/organizations/{id}', {
        params: { path: { id: org.id } },
        body: { name: 'Acme Ltd', description: null },
      });
      assert.equal(patched.response.status, 200);
      assert.deepEqual(patched.data, { ...org, name: 'Acme Ltd', description: null });

      const deleted = await api.DELETE('/api/organizations/{id}', { params: { path: { id: org.id } } });
      assert.equal(deleted.response.status, 204);
      const gone = await api.GET('/api/organizations/{id}', { params: { path: { id: org.id } } });
      assert.equal(gone.response.status, 404);
      assert.equal(gone.error.code, 'entity.not_exists_with_id');
    });

    it('pages through every organization with page and page_size', async () => {
      const ids = new Set();
      for (let i = 0; i < 5; i++) {
        const res = await api.POST('/api/organizations', { body: { name: `Paged org ${i}` } });
        ids.add(res.data.id);
      }
      const seen = [];
      let total;
      for (let page = 1; page <= 10; page++) {
        const res = await api.GET('/api/organizations', {
          params: { query: { q: 'Paged org', page, page_size: 2 } },
        });
        assert.equal(res.response.status, 200);
        total = Number(res.response.headers.get('total-number'));
        if (res.data.length === 0) break;
        seen.push(...res.data.map((o) => o.id));
      }
      assert.equal(total, 5);
      assert.deepEqual(new Set(seen), ids);
      assert.equal(seen.length, 5);
    });

    it('answers errors with the Logto error body', async () => {
      const bad = await api.POST('/api/organizations', { body: { name: '' } });
      assert.equal(bad.response.status, 400);
      assert.equal(bad.error.code, 'guard.invalid_input');
      const page = await api.GET('/api/organizations', { params: { query: { page: 0 } } });
      assert.equal(page.response.status, 400);
      assert.equal(page.error.code, 'guard.invalid_pagination');
    });
  });
}
