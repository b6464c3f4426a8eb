/**
 * The hand-written fast checks of `assert` (src/fast-checks.ts) against the zod schemas they
 * shortcut: on every row the fast check either defers (undefined) or returns exactly what zod
 * returns, keys in the same order; and it does not defer on the common valid case.
 */
import { describe, expect, it } from 'vitest';
import { fastAssertionInput, fastAssertResponse } from '../src/fast-checks.js';
import { AssertionInputSchema, AssertResponseSchema } from '../src/schemas.js';

const OK = { subject: 's', predicate: 'p', value: true, agent_id: 'a' };

const inputs: { given: unknown; fast: boolean }[] = [
  { given: OK, fast: true },
  {
    given: { agent_id: 'a', value: { n: [1, null, 'x'] }, predicate: 'p', subject: 's' },
    fast: true,
  },
  { given: { ...OK, value: null }, fast: true },
  { given: { ...OK, subject: 'x'.repeat(1024) }, fast: true },
  { given: { ...OK, subject: 'x'.repeat(1025) }, fast: false },
  { given: { ...OK, predicate: '' }, fast: false },
  { given: { ...OK, agent_id: 'x'.repeat(257) }, fast: false },
  { given: { ...OK, value: undefined }, fast: false },
  { given: { subject: 's', predicate: 'p', agent_id: 'a' }, fast: false },
  { given: { ...OK, value: Number.NaN }, fast: false },
  { given: { ...OK, value: { f: () => 1 } }, fast: false },
  { given: { ...OK, value: new Date(0) }, fast: false },
  { given: { ...OK, extra: 1 }, fast: false },
  { given: { ...OK, extra: undefined }, fast: false },
  { given: { ...OK, subject: 1 }, fast: false },
  { given: Object.assign(Object.create({ inherited: 1 }), OK), fast: false },
  { given: Object.assign(Object.create(null), OK), fast: false },
  { given: null, fast: false },
  { given: [OK], fast: false },
  { given: 'x', fast: false },
];

const responses: { given: unknown; fast: boolean }[] = [
  { given: { id: 'a1', accepted_at: '2026-01-01T00:00:00Z' }, fast: true },
  { given: { id: 'a1', accepted_at: '2026-01-01T00:00:00.123456+02:00', more: 1 }, fast: true },
  { given: { id: 'a1', accepted_at: '2024-02-29T23:59:59Z' }, fast: true },
  { given: { id: 'a1', accepted_at: '2026-02-29T00:00:00Z' }, fast: false },
  { given: { id: 'a1', accepted_at: '2026-13-01T00:00:00Z' }, fast: false },
  { given: { id: 'a1', accepted_at: '2026-01-01T24:00:00Z' }, fast: false },
  { given: { id: 'a1', accepted_at: '2026-01-01T00:00:00' }, fast: false },
  { given: { id: 'a1', accepted_at: '2026-01-01 00:00:00Z' }, fast: false },
  { given: { id: '', accepted_at: '2026-01-01T00:00:00Z' }, fast: false },
  { given: { id: 1, accepted_at: '2026-01-01T00:00:00Z' }, fast: false },
  { given: { id: 'a1' }, fast: false },
  { given: [], fast: false },
  { given: null, fast: false },
];

function zodOutput(
  schema: { safeParse(v: unknown): { success: boolean; data?: unknown } },
  v: unknown,
) {
  const r = schema.safeParse(v);
  return r.success ? r.data : undefined;
}

describe('fastAssertionInput agrees with AssertionInputSchema', () => {
  it.each(inputs)('$given', ({ given, fast }) => {
    const got = fastAssertionInput(given);
    expect(got !== undefined).toBe(fast);
    if (got !== undefined) {
      expect(JSON.stringify(got)).toBe(JSON.stringify(zodOutput(AssertionInputSchema, given)));
      expect(got).not.toBe(given); // a fresh object, as zod returns
    }
  });
});

describe('fastAssertResponse agrees with AssertResponseSchema', () => {
  it.each(responses)('$given', ({ given, fast }) => {
    const got = fastAssertResponse(given);
    expect(got !== undefined).toBe(fast);
    if (got !== undefined) {
      expect(JSON.stringify(got)).toBe(JSON.stringify(zodOutput(AssertResponseSchema, given)));
    } else {
      // Deferring is always safe; but what zod rejects, the fast check must never accept.
      expect(zodOutput(AssertResponseSchema, given) === undefined || !fast).toBe(true);
    }
  });
});
