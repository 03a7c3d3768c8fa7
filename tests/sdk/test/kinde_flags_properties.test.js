// Kinde SDK: FeatureFlags, Properties, PropertyCategories and the Organizations module's feature
// flag override and property value operations.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startOrgd } from '../harness.js';
import { kindeClient, kindeRejects } from '../clients.js';

const success = { code: 'OK', message: 'Success' };

for (const engine of engines()) {
  describe(`Kinde feature flags and properties (${engine})`, () => {
    let orgd;
    let sdk;
    before(async () => {
      orgd = await startOrgd(engine);
      sdk = kindeClient(orgd.url);
    });
    after(async () => orgd?.stop());

    it('defines flags, overrides them per organization and reads effective values', async () => {
      const { FeatureFlags, Organizations } = sdk;
      await FeatureFlags.createFeatureFlag({
        requestBody: { name: 'Seats', key: 'seats', type: 'int', default_value: '5', allow_override_level: 'org' },
      });
      await FeatureFlags.createFeatureFlag({
        requestBody: { name: 'Beta', key: 'beta', type: 'bool', default_value: 'false' },
      });
      const code = (
        await Organizations.createOrganization({ requestBody: { name: 'Flags Co', feature_flags: { beta: 'true' } } })
      ).organization.code;
      let flags = await Organizations.getOrganizationFeatureFlags({ orgCode: code });
      assert.deepEqual(flags.feature_flags, {
        seats: { type: 'int', value: '5' },
        beta: { type: 'bool', value: 'true' },
      });
      assert.deepEqual(
        await Organizations.updateOrganizationFeatureFlagOverride({ orgCode: code, featureFlagKey: 'seats', value: '50' }),
        success,
      );
      await kindeRejects(
        assert,
        Organizations.updateOrganizationFeatureFlagOverride({ orgCode: code, featureFlagKey: 'seats', value: 'many' }),
        400,
        'INVALID_VALUE',
      );
      flags = await Organizations.getOrganizationFeatureFlags({ orgCode: code });
      assert.equal(flags.feature_flags.seats.value, '50');
      await Organizations.deleteOrganizationFeatureFlagOverride({ orgCode: code, featureFlagKey: 'seats' });
      await Organizations.deleteOrganizationFeatureFlagOverrides({ orgCode: code });
      flags = await Organizations.getOrganizationFeatureFlags({ orgCode: code });
      assert.deepEqual(flags.feature_flags.beta, { type: 'bool', value: 'false' });
      await FeatureFlags.updateFeatureFlag({
        featureFlagKey: 'seats',
        name: 'Seats',
        description: 'Seat count',
        type: 'int',
        allowOverrideLevel: 'env',
        defaultValue: '7',
      });
      await kindeRejects(
        assert,
        Organizations.updateOrganizationFeatureFlagOverride({ orgCode: code, featureFlagKey: 'seats', value: '9' }),
        400,
        'FEATURE_FLAG_OVERRIDE_NOT_ALLOWED',
      );
      await FeatureFlags.deleteFeatureFlag({ featureFlagKey: 'seats' });
      flags = await Organizations.getOrganizationFeatureFlags({ orgCode: code });
      assert.deepEqual(Object.keys(flags.feature_flags), ['beta']);
    });

    it('defines properties in categories and sets organization values', async () => {
      const { Properties, PropertyCategories, Organizations } = sdk;
      const category = (await PropertyCategories.createCategory({ requestBody: { name: 'Company', context: 'org' } })).category.id;
      const cats = await PropertyCategories.getCategories({ context: 'org' });
      assert.ok(cats.categories.some((c) => c.id === category));
      await PropertyCategories.updateCategory({ categoryId: category, requestBody: { name: 'Company info' } });
      const industry = (
        await Properties.createProperty({
          requestBody: { name: 'Industry', key: 'industry', type: 'single_line_text', context: 'org', is_private: false, category_id: category },
        })
      ).property.id;
      await Properties.createProperty({
        requestBody: { name: 'Notes', key: 'notes', type: 'multi_line_text', context: 'org', is_private: true, category_id: category },
      });
      const props = await Properties.getProperties({ context: 'org' });
      assert.deepEqual(props.properties.map((p) => p.key).sort(), ['industry', 'notes']);
      await Properties.updateProperty({
        propertyId: industry,
        requestBody: { name: 'Sector', is_private: false, category_id: category },
      });

      const code = (await Organizations.createOrganization({ requestBody: { name: 'Props Co' } })).organization.code;
      await Organizations.updateOrganizationProperties({ orgCode: code, requestBody: { properties: { industry: 'Retail', notes: 'VIP' } } });
      await Organizations.updateOrganizationProperty({ orgCode: code, propertyKey: 'notes', value: 'Gold' });
      const values = await Organizations.getOrganizationPropertyValues({ orgCode: code });
      const byKey = Object.fromEntries(values.properties.map((p) => [p.key, p]));
      assert.equal(byKey.industry.value, 'Retail');
      assert.equal(byKey.industry.name, 'Sector');
      assert.equal(byKey.notes.value, 'Gold');
      await kindeRejects(
        assert,
        Organizations.updateOrganizationProperty({ orgCode: code, propertyKey: 'missing', value: 'x' }),
        400,
        'PROPERTY_NOT_FOUND',
      );
      await Properties.deleteProperty({ propertyId: industry });
      const after = await Organizations.getOrganizationPropertyValues({ orgCode: code });
      assert.deepEqual(after.properties.map((p) => p.key), ['notes']);
    });
  });
}
