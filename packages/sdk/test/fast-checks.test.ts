/**
 * The hand-written fast checks of `assert` (src/fast-checks.ts) against the zod schemas they
 * shortcut: on every row the fast check either defers (undefined) or returns exactly what zod
 * returns, keys in the same order; and it does not defer on the common valid case.
 */
import fc from 'fast-check';
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
    }
  });
});

// Deferring (undefined) is always safe; accepting is safe only with zod's own answer. Generated
// values near the edges of each schema hold every acceptance to that.
describe('the fast checks never accept what zod rejects', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 3 }),
    fc.constantFrom('', 'x'.repeat(256), 'x'.repeat(257), 'x'.repeat(1024), 'x'.repeat(1025)),
  );
  const json = fc.oneof(fc.jsonValue(), fc.anything(), fc.constant(undefined));
  const input = fc.oneof(
    fc.record(
      { subject: text, predicate: text, value: json, agent_id: text, extra: fc.anything() },
      { requiredKeys: [] },
    ),
    fc.anything(),
  );
  const dates = fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2026-02-29T00:00:00Z', '2026-01-01T00:00:00+02:00', '2026-01-01T00:00:00'),
    fc.string(),
  );
  const response = fc.oneof(
    fc.record({ id: fc.oneof(text, fc.integer()), accepted_at: dates }, { requiredKeys: [] }),
    fc.anything(),
  );

  it('for assert inputs', () => {
    fc.assert(
      fc.property(input, (given) => {
        const got = fastAssertionInput(given);
        if (got === undefined) return;
        expect(JSON.stringify(got)).toBe(JSON.stringify(zodOutput(AssertionInputSchema, given)));
      }),
      { numRuns: 2000 },
    );
  });

  it('for assert responses', () => {
    fc.assert(
      fc.property(response, (given) => {
        const got = fastAssertResponse(given);
        if (got === undefined) return;
        expect(JSON.stringify(got)).toBe(JSON.stringify(zodOutput(AssertResponseSchema, given)));
      }),
      { numRuns: 2000 },
    );
  });
});
