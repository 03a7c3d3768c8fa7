// The two official SDKs, configured against one orgd the way their users would configure them
// against the real products (contracts/logto.md §1.12, contracts/kinde.md §1.10).
import { createManagementApi } from '@logto/api/management';
import * as kinde from '@kinde/management-api-js';
import { adminId, adminSecret } from './harness.js';

// A Logto management client that fetches its own token from {url}/oidc/token.
export function logtoClient(url, clientId = adminId, clientSecret = adminSecret) {
  const { apiClient } = createManagementApi('default', {
    clientId,
    clientSecret,
    baseUrl: url,
    apiIndicator: 'https://default.logto.app/api',
  });
  return apiClient;
}

// Initialises the Kinde SDK (module-global) to fetch its own token from {url}/oauth2/token, and
// returns the SDK's modules.
export function kindeClient(url, clientId = adminId, clientSecret = adminSecret) {
  delete process.env.KINDE_DOMAIN;
  kinde.init({ kindeDomain: url, clientId, clientSecret });
  return kinde;
}

// Asserts that `promise` rejects with the Kinde SDK's ApiError of `status` whose body carries
// `code` (array or object form of the errors).
export async function kindeRejects(assert, promise, status, code) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a rejection with ${status} ${code}`);
  assert.equal(error.name, 'ApiError', String(error));
  assert.equal(error.status, status, JSON.stringify(error.body));
  const errors = error.body?.errors;
  const first = Array.isArray(errors) ? errors[0] : errors;
  assert.equal(first?.code, code, JSON.stringify(error.body));
  return error;
}

// Asserts a Logto SDK result has `status` and returns its data (or the error body for 4xx/5xx).
export function logtoExpect(assert, result, status) {
  assert.equal(
    result.response.status,
    status,
    `${result.response.url}: ${JSON.stringify(result.error ?? result.data)}`,
  );
  return status >= 400 ? result.error : result.data;
}
