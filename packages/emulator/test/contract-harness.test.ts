import { beforeAll, describe, expect, it } from 'vitest';
import { SUITE_OPERATIONS } from './support/conformance.js';
import { Contract, type Exchange } from './support/contract.js';

/** The conformance harness must reject what the yaml forbids, or its green means nothing. */

const json = (
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): Omit<Exchange, 'method' | 'path'> => ({
  status,
  headers: new Headers({ 'content-type': 'application/json', ...extra }),
  body: JSON.stringify(body),
});

const cases: { name: string; exchange: Exchange; want: RegExp }[] = [
  {
    name: 'a status the operation does not list',
    exchange: { method: 'GET', path: '/v1/health', ...json(418, {}) },
    want: /status 418 is not listed/,
  },
  {
    name: 'a media type the status does not list',
    exchange: {
      method: 'GET',
      path: '/v1/health',
      status: 200,
      headers: new Headers({ 'content-type': 'text/html' }),
      body: '<p>ok</p>',
    },
    want: /media type "text\/html"/,
  },
  {
    name: 'a response body missing a required field',
    exchange: { method: 'POST', path: '/v1/assert', requestBody: '{}', ...json(201, { id: 'x' }) },
    want: /accepted_at/,
  },
  {
    name: 'a date-time that is not RFC 3339',
    exchange: {
      method: 'POST',
      path: '/v1/assert',
      requestBody: '{}',
      ...json(201, { id: 'x', accepted_at: 'yesterday' }),
    },
    want: /format "date-time"/,
  },
  {
    name: 'a Retry-After that is not an integer',
    exchange: {
      method: 'GET',
      path: '/v1/admin/api-keys',
      ...json(429, { error: { code: 'rate_limited', message: 'm' } }, { 'retry-after': 'soon' }),
    },
    want: /header Retry-After/,
  },
  {
    name: 'a body on a status without content',
    exchange: {
      method: 'DELETE',
      path: `/v1/admin/api-keys/${'a'.repeat(64)}`,
      status: 204,
      headers: new Headers(),
      body: 'gone',
    },
    want: /no content/,
  },
];

describe('the conformance harness', () => {
  let contract: Contract;
  beforeAll(async () => {
    contract = await Contract.load();
  });

  it.each(cases)('rejects $name', ({ exchange, want }) => {
    expect(contract.check(exchange).responseErrors.join('\n')).toMatch(want);
  });

  it('rejects a request body with an extra property', () => {
    const verdict = contract.check({
      method: 'POST',
      path: '/v1/assert',
      requestBody: JSON.stringify({ subject: 's', predicate: 'p', value: 1, agent_id: 'a', x: 1 }),
      ...json(400, { error: { code: 'invalid_request', message: 'x' } }),
    });
    expect(verdict.requestValid).toBe(false);
  });

  it('rejects a query limit over the maximum', () => {
    const verdict = contract.check({
      method: 'GET',
      path: '/v1/assertions?limit=1001',
      ...json(400, { error: { code: 'invalid_request', message: 'x' } }),
    });
    expect(verdict.requestErrors.join()).toMatch(/query limit/);
  });
});

describe('the conformance suites', () => {
  it('together drive every operation of the yaml', async () => {
    const contract = await Contract.load();
    const driven = Object.values(SUITE_OPERATIONS).flat().sort();
    expect(driven).toEqual(contract.operations.map((op) => op.operationId).sort());
  });
});
