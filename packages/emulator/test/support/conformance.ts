import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/index.js';
import { Contract } from './contract.js';
import { type CallInit, type CallResult, call } from './http.js';

/**
 * Shared machinery of the conformance suites: two emulators, keys for each role, an `exchange`
 * that checks every request and response against the yaml, and a runner that ends each suite
 * with a coverage check of its operations. Vitest isolates test files, so this module's state
 * belongs to one suite.
 */

/** Which suite drives which operations; together they must be every operation of the yaml. */
export const SUITE_OPERATIONS = {
  assertions: ['getHealth', 'getMetrics', 'createAssertion', 'listAssertions'],
  admin: ['createApiKey', 'listApiKeys', 'rotateApiKey', 'revokeApiKey'],
} as const;

/** Listed statuses that are not exercised, and why. */
export const NOT_EXERCISED: Record<string, string> = {
  'createAssertion 200': 'the emulator answers 201 (the yaml allows 200 or 201)',
  'createApiKey 200': 'the emulator answers 201',
  'rotateApiKey 200': 'the emulator answers 201, as for create',
  'listAssertions 403': 'every role may read, so no key is forbidden here',
};

export const UNKNOWN_KEY = `steme_live_${'0'.repeat(48)}`;
export const UNKNOWN_HASH = 'f'.repeat(64);
export const VALID_ASSERTION = {
  subject: 'test/ping',
  predicate: 'alive',
  value: true,
  agent_id: 'test',
};

/** The suite's state, filled in by its beforeAll. */
export const suite = {
  contract: undefined as unknown as Contract,
  emu: undefined as unknown as Emulator,
  /** Its root key has one token, spent at setup, and refills every 100 s: every call is 429. */
  limited: undefined as unknown as Emulator,
  writeKey: '',
  readKey: '',
};

/** One row: a request and the status it must get. */
export interface Row {
  name: string;
  want: number;
  method: string;
  path: string | (() => Promise<string>);
  init?: () => CallInit;
  on?: () => Emulator;
  /** A fault to arm just before the call (cleared after it). */
  arm?: (emu: Emulator) => void;
  /** Whether the request must conform: by default iff the answer is 2xx; a 400 means it must not. */
  requestMustConform?: boolean | 'unchecked';
}

/** Sends a request and checks the exchange against the yaml. */
export async function exchange(
  target: Emulator,
  method: string,
  path: string,
  init: CallInit = {},
) {
  const result = await call(target.url, path, { method, ...init });
  const verdict = suite.contract.check({
    method,
    path,
    status: result.status,
    headers: result.headers,
    body: result.text,
    ...(result.requestBody !== undefined ? { requestBody: result.requestBody } : {}),
  });
  return { result, verdict };
}

/** Creates a key with the root key, through the checked exchange. */
export async function issueKey(role: string): Promise<CallResult> {
  const { result } = await exchange(suite.emu, 'POST', '/v1/admin/api-keys', {
    key: suite.emu.rootApiKey,
    body: { label: `conformance-${role}`, role },
  });
  return result;
}

export const root = () => ({ key: suite.emu.rootApiKey });
export const keyed = (key: () => string) => () => ({ key: key() });

/** The 502/503 (proxy) rows every keyed operation lists. */
export function proxyRows(
  operation: string,
  method: string,
  path: string,
  init?: () => CallInit,
): Row[] {
  return [502, 503].map((status) => ({
    name: `${operation} answers ${status} while the proxy fails`,
    want: status,
    method,
    path,
    ...(init ? { init } : {}),
    arm: (target: Emulator) => target.faults.failNext(1, status),
    requestMustConform: 'unchecked',
  }));
}

/** The 429 row, on the rate-limited emulator. */
export function limitedRow(operation: string, method: string, path: string, body?: unknown): Row {
  return {
    name: `${operation} answers 429 with Retry-After when the key's bucket is empty`,
    want: 429,
    method,
    path,
    on: () => suite.limited,
    init: () => ({ key: suite.limited.rootApiKey, ...(body !== undefined ? { body } : {}) }),
    requestMustConform: 'unchecked',
  };
}

/** Runs the rows, then checks every listed status of `operations` was exercised. */
export function runConformance(title: string, operations: readonly string[], rows: Row[]): void {
  describe(title, () => {
    beforeAll(async () => {
      suite.contract = await Contract.load();
      suite.emu = await startEmulator();
      suite.limited = await startEmulator({ rateLimit: { burst: 1, perSecond: 0.01 } });
      await call(suite.limited.url, '/v1/admin/api-keys', { key: suite.limited.rootApiKey });
      suite.writeKey = ((await issueKey('write_agent')).json as { key: string }).key;
      suite.readKey = ((await issueKey('read_agent')).json as { key: string }).key;
      for (let i = 0; i < 2; i++) {
        await exchange(suite.emu, 'POST', '/v1/assert', {
          key: suite.writeKey,
          body: VALID_ASSERTION,
        });
      }
    });

    afterAll(async () => {
      await Promise.all([suite.emu?.close(), suite.limited?.close()]);
    });

    it.each(rows)('$name', async (row) => {
      const target = row.on?.() ?? suite.emu;
      const path = typeof row.path === 'string' ? row.path : await row.path();
      row.arm?.(target);
      try {
        const { result, verdict } = await exchange(target, row.method, path, row.init?.());
        expect(result.status).toBe(row.want);
        expect(verdict.responseErrors).toEqual([]);
        expect(result.headers.get('x-request-id')).toBeTruthy();
        if (row.want === 429) expect(result.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        const mustConform =
          row.requestMustConform ??
          (row.want < 300 ? true : row.want === 400 ? false : 'unchecked');
        if (mustConform !== 'unchecked' && verdict.requestValid !== undefined) {
          expect(verdict.requestValid, verdict.requestErrors.join('; ')).toBe(mustConform);
        }
      } finally {
        target.faults.clear();
      }
    });

    it(`exercises every listed status of ${operations.join(', ')} but the documented exceptions`, () => {
      const missing = suite.contract.operations
        .filter((op) => operations.includes(op.operationId))
        .flatMap((op) => op.statuses.map((status) => `${op.operationId} ${status}`))
        .filter((pair) => !suite.contract.exercised.has(pair) && !(pair in NOT_EXERCISED));
      expect(missing).toEqual([]);
      const known = suite.contract.operations.map((op) => op.operationId);
      for (const op of operations) expect(known).toContain(op);
    });
  });
}
