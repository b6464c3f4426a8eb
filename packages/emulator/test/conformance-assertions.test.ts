import {
  exchange,
  keyed,
  limitedRow,
  proxyRows,
  type Row,
  root,
  runConformance,
  SUITE_OPERATIONS,
  suite,
  UNKNOWN_KEY,
  VALID_ASSERTION,
} from './support/conformance.js';

/**
 * OpenAPI conformance of health, metrics and the assertion paths: each row's request and response
 * are checked against the yaml, and the suite fails if a listed status was never exercised.
 */

const OVER_ONE_MIB = JSON.stringify({ ...VALID_ASSERTION, value: 'x'.repeat(1_100_000) });

async function firstCursor(): Promise<string> {
  const { result } = await exchange(suite.emu, 'GET', '/v1/assertions?limit=1', {
    key: suite.readKey,
  });
  return (result.json as { next_cursor: string }).next_cursor;
}

const rows: Row[] = [
  { name: 'getHealth answers 200 without a key', want: 200, method: 'GET', path: '/v1/health' },
  {
    name: 'getHealth answers 503 with Retry-After during an outage',
    want: 503,
    method: 'GET',
    path: '/v1/health',
    arm: (target) => target.faults.outage({ ms: 60_000, mode: 503, retryAfterSeconds: 2 }),
  },
  { name: 'getMetrics answers 200 without a key', want: 200, method: 'GET', path: '/metrics' },
  {
    name: 'getMetrics answers 503 during an outage',
    want: 503,
    method: 'GET',
    path: '/metrics',
    arm: (target) => target.faults.outage({ ms: 60_000, mode: 503 }),
  },

  {
    name: 'createAssertion answers 201 to the roadmap gate body',
    want: 201,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({ ...root(), body: VALID_ASSERTION }),
  },
  {
    name: 'createAssertion answers 201 to a write_agent with an object value',
    want: 201,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({
      key: suite.writeKey,
      body: { ...VALID_ASSERTION, value: { nested: [1, null] } },
    }),
  },
  ...[
    ['a missing field', { subject: 's', predicate: 'p', agent_id: 'a' }],
    ['an extra field', { ...VALID_ASSERTION, extra: 1 }],
    ['a wrongly typed field', { ...VALID_ASSERTION, subject: 42 }],
    ['an empty subject', { ...VALID_ASSERTION, subject: '' }],
    ['a predicate over 256 characters', { ...VALID_ASSERTION, predicate: 'p'.repeat(257) }],
  ].map(
    ([what, body]): Row => ({
      name: `createAssertion answers 400 to ${what}`,
      want: 400,
      method: 'POST',
      path: '/v1/assert',
      init: () => ({ ...root(), body }),
    }),
  ),
  {
    name: 'createAssertion answers 400 to a body that is not JSON',
    want: 400,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({ ...root(), rawBody: '{"subject":' }),
  },
  {
    name: 'createAssertion answers 400 to a body that is not application/json',
    want: 400,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({
      ...root(),
      rawBody: JSON.stringify(VALID_ASSERTION),
      contentType: 'text/plain',
    }),
    requestMustConform: 'unchecked',
  },
  {
    name: 'createAssertion answers 401 without a key',
    want: 401,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({ body: VALID_ASSERTION }),
  },
  {
    name: 'createAssertion answers 401 to an unknown key',
    want: 401,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({ key: UNKNOWN_KEY, body: VALID_ASSERTION }),
  },
  {
    name: 'createAssertion answers 403 to a read_agent',
    want: 403,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({ key: suite.readKey, body: VALID_ASSERTION }),
  },
  {
    name: 'createAssertion answers 413 to a body over 1 MiB',
    want: 413,
    method: 'POST',
    path: '/v1/assert',
    init: () => ({ ...root(), rawBody: OVER_ONE_MIB }),
    requestMustConform: 'unchecked',
  },
  ...proxyRows('createAssertion', 'POST', '/v1/assert', () => ({
    ...root(),
    body: VALID_ASSERTION,
  })),
  limitedRow('createAssertion', 'POST', '/v1/assert', VALID_ASSERTION),

  {
    name: 'listAssertions answers 200 to a read_agent',
    want: 200,
    method: 'GET',
    path: '/v1/assertions',
    init: keyed(() => suite.readKey),
  },
  {
    name: 'listAssertions answers 200 with every filter and a limit',
    want: 200,
    method: 'GET',
    path: '/v1/assertions?subject=test%2Fping&predicate=alive&agent_id=test&limit=1',
    init: keyed(() => suite.writeKey),
  },
  {
    name: 'listAssertions answers 200 to the cursor of a previous page',
    want: 200,
    method: 'GET',
    path: async () => `/v1/assertions?limit=1&cursor=${await firstCursor()}`,
    init: keyed(() => suite.readKey),
  },
  ...['limit=0', 'limit=1001', 'limit=abc', 'cursor=not-a-cursor', 'subject='].map(
    (query): Row => ({
      name: `listAssertions answers 400 to ${query}`,
      want: 400,
      method: 'GET',
      path: `/v1/assertions?${query}`,
      init: keyed(() => suite.readKey),
      // A well-formed cursor this server never gave is valid to the schema yet still refused.
      ...(query.startsWith('cursor') ? { requestMustConform: 'unchecked' as const } : {}),
    }),
  ),
  {
    name: 'listAssertions answers 401 without a key',
    want: 401,
    method: 'GET',
    path: '/v1/assertions',
  },
  ...proxyRows(
    'listAssertions',
    'GET',
    '/v1/assertions',
    keyed(() => suite.readKey),
  ),
  limitedRow('listAssertions', 'GET', '/v1/assertions'),
];

runConformance(
  'OpenAPI conformance: health, metrics, assertions',
  SUITE_OPERATIONS.assertions,
  rows,
);
