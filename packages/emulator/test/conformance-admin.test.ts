import { createHash, randomUUID } from 'node:crypto';
import {
  issueKey,
  keyed,
  limitedRow,
  proxyRows,
  type Row,
  root,
  runConformance,
  SUITE_OPERATIONS,
  suite,
  UNKNOWN_HASH,
} from './support/conformance.js';
import { call } from './support/http.js';

/**
 * OpenAPI conformance of the admin key paths: each row's request and response are checked
 * against the yaml, and the suite fails if a listed status was never exercised.
 */

async function freshKeyHash(): Promise<string> {
  return ((await issueKey('read_agent')).json as { hash: string }).hash;
}

// An Idempotency-Key already used (and its answer kept) for another request.
async function usedIdempotencyKey(): Promise<string> {
  const key = randomUUID();
  const headers = { 'idempotency-key': key };
  const res = await call(suite.emu.url, '/v1/admin/api-keys', {
    method: 'POST',
    key: suite.emu.rootApiKey,
    headers,
    body: { label: 'idem-first', role: 'read_agent' },
  });
  if (res.status !== 201) throw new Error(`setup: expected 201, got ${res.status}`);
  return key;
}

// A row whose request reuses an Idempotency-Key kept for another request: 400.
function reusedKeyRow(op: string, method: string, path: () => Promise<string>): Row {
  let key = '';
  return {
    name: `${op} answers 400 idempotency_error to an Idempotency-Key used for another request`,
    want: 400,
    method,
    path: async () => {
      key = await usedIdempotencyKey();
      return path();
    },
    init: () => ({ ...root(), headers: { 'idempotency-key': key } }),
  };
}

const rows: Row[] = [
  {
    name: 'createApiKey answers 201 with the key to the root key',
    want: 201,
    method: 'POST',
    path: '/v1/admin/api-keys',
    init: () => ({ ...root(), body: { label: 'project-demo', role: 'write_agent' } }),
  },
  ...[
    ['an unknown role', { label: 'x', role: 'superuser' }],
    ['a label with a space', { label: 'a b', role: 'read_agent' }],
    ['a missing role', { label: 'x' }],
  ].map(
    ([what, body]): Row => ({
      name: `createApiKey answers 400 to ${what}`,
      want: 400,
      method: 'POST',
      path: '/v1/admin/api-keys',
      init: () => ({ ...root(), body }),
    }),
  ),
  {
    name: 'createApiKey answers 401 without a key',
    want: 401,
    method: 'POST',
    path: '/v1/admin/api-keys',
    init: () => ({ body: { label: 'x', role: 'read_agent' } }),
  },
  {
    name: 'createApiKey answers 403 to a write_agent',
    want: 403,
    method: 'POST',
    path: '/v1/admin/api-keys',
    init: () => ({ key: suite.writeKey, body: { label: 'x', role: 'read_agent' } }),
  },
  {
    name: 'createApiKey answers 413 to a body over 1 MiB',
    want: 413,
    method: 'POST',
    path: '/v1/admin/api-keys',
    init: () => ({ ...root(), rawBody: JSON.stringify({ label: 'x'.repeat(1_100_000) }) }),
    requestMustConform: 'unchecked',
  },
  ...proxyRows('createApiKey', 'POST', '/v1/admin/api-keys', () => ({
    ...root(),
    body: { label: 'x', role: 'read_agent' },
  })),
  limitedRow('createApiKey', 'POST', '/v1/admin/api-keys', { label: 'x', role: 'read_agent' }),

  {
    name: 'listApiKeys answers 200 to the root key',
    want: 200,
    method: 'GET',
    path: '/v1/admin/api-keys',
    init: root,
  },
  {
    name: 'listApiKeys answers 401 without a key',
    want: 401,
    method: 'GET',
    path: '/v1/admin/api-keys',
  },
  {
    name: 'listApiKeys answers 403 to a read_agent',
    want: 403,
    method: 'GET',
    path: '/v1/admin/api-keys',
    init: keyed(() => suite.readKey),
  },
  ...proxyRows('listApiKeys', 'GET', '/v1/admin/api-keys', root),
  limitedRow('listApiKeys', 'GET', '/v1/admin/api-keys'),

  {
    name: 'rotateApiKey answers 201 with a new key',
    want: 201,
    method: 'POST',
    path: async () => `/v1/admin/api-keys/${await freshKeyHash()}/rotate`,
    init: root,
  },
  {
    name: 'rotateApiKey answers 404 to an unknown hash',
    want: 404,
    method: 'POST',
    path: `/v1/admin/api-keys/${UNKNOWN_HASH}/rotate`,
    init: root,
  },
  {
    name: 'rotateApiKey answers 401 without a key',
    want: 401,
    method: 'POST',
    path: `/v1/admin/api-keys/${UNKNOWN_HASH}/rotate`,
  },
  {
    name: 'rotateApiKey answers 403 to a write_agent',
    want: 403,
    method: 'POST',
    path: `/v1/admin/api-keys/${UNKNOWN_HASH}/rotate`,
    init: keyed(() => suite.writeKey),
  },
  reusedKeyRow(
    'rotateApiKey',
    'POST',
    async () => `/v1/admin/api-keys/${await freshKeyHash()}/rotate`,
  ),
  ...proxyRows('rotateApiKey', 'POST', `/v1/admin/api-keys/${UNKNOWN_HASH}/rotate`, root),
  limitedRow('rotateApiKey', 'POST', `/v1/admin/api-keys/${UNKNOWN_HASH}/rotate`),

  {
    name: 'revokeApiKey answers 204 with no body',
    want: 204,
    method: 'DELETE',
    path: async () => `/v1/admin/api-keys/${await freshKeyHash()}`,
    init: root,
  },
  {
    name: 'revokeApiKey answers 404 to an unknown hash',
    want: 404,
    method: 'DELETE',
    path: `/v1/admin/api-keys/${UNKNOWN_HASH}`,
    init: root,
  },
  {
    name: 'revokeApiKey answers 409 to the root key',
    want: 409,
    method: 'DELETE',
    path: async () =>
      `/v1/admin/api-keys/${createHash('sha256').update(suite.emu.rootApiKey).digest('hex')}`,
    init: root,
  },
  {
    name: 'revokeApiKey answers 401 without a key',
    want: 401,
    method: 'DELETE',
    path: `/v1/admin/api-keys/${UNKNOWN_HASH}`,
  },
  {
    name: 'revokeApiKey answers 403 to a read_agent',
    want: 403,
    method: 'DELETE',
    path: `/v1/admin/api-keys/${UNKNOWN_HASH}`,
    init: keyed(() => suite.readKey),
  },
  reusedKeyRow('revokeApiKey', 'DELETE', async () => `/v1/admin/api-keys/${await freshKeyHash()}`),
  ...proxyRows('revokeApiKey', 'DELETE', `/v1/admin/api-keys/${UNKNOWN_HASH}`, root),
  limitedRow('revokeApiKey', 'DELETE', `/v1/admin/api-keys/${UNKNOWN_HASH}`),
];

runConformance('OpenAPI conformance: admin keys', SUITE_OPERATIONS.admin, rows);
