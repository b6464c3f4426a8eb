/**
 * Hand-written checks for `assert`, the call the benchmark drives: its input and its response,
 * where zod's `safeParse` of the strict input object with its refinement, and of the response
 * with its date-time format, are a measurable part of a call (bench/README.md).
 *
 * Invariant: each check accepts only values its zod schema accepts, and returns what zod would return (a
 * fresh object, keys in the schema's order). Anything else (undefined) goes on to zod, which
 * decides and words the error, so errors are exactly as before. `test/fast-checks.test.ts`
 * holds the two to the same verdicts.
 */
import { z } from 'zod';
import { AGENT_ID_MAX, jsonProblem, PREDICATE_MAX, SUBJECT_MAX } from './schemas.js';
import type { AssertionInput, AssertResponse } from './types.js';

// zod's public date-time pattern with the options `accepted_at` is declared with (schemas.ts:
// `z.iso.datetime({ offset: true })`); test/fast-checks.test.ts holds the two to one verdict.
const DATE_TIME: RegExp = z.regexes.datetime({ offset: true });

const INPUT_KEYS = new Set(['subject', 'predicate', 'value', 'agent_id']);

function boundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

/** `input` as AssertionInputSchema would return it, or undefined to let zod decide. */
export function fastAssertionInput(input: unknown): AssertionInput | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  if (Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  for (const key in input) if (!INPUT_KEYS.has(key)) return undefined; // strict: zod names it
  const { subject, predicate, value, agent_id } = input as Record<string, unknown>;
  if (!boundedString(subject, SUBJECT_MAX) || !boundedString(predicate, PREDICATE_MAX)) {
    return undefined;
  }
  if (!boundedString(agent_id, AGENT_ID_MAX)) return undefined;
  if (value === undefined || jsonProblem(value, 0) !== undefined) return undefined;
  return { subject, predicate, value, agent_id };
}

/** A decoded `assert` response as AssertResponseSchema would return it, or undefined. */
export function fastAssertResponse(body: unknown): AssertResponse | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { id, accepted_at } = body as Record<string, unknown>;
  if (typeof id !== 'string' || id.length < 1) return undefined;
  if (typeof accepted_at !== 'string' || !DATE_TIME.test(accepted_at)) return undefined;
  return { id, accepted_at };
}
