import { z } from 'zod';
import { HttpError } from './errors.js';
import type { components } from './generated/openapi.js';

type Schemas = components['schemas'];

/**
 * A string bounded in code points, as JSON Schema's minLength/maxLength count them (zod's
 * min/max count UTF-16 units, which would reject an emoji-heavy string the yaml allows).
 */
function boundedString(min: number, max: number, pattern?: RegExp) {
  return z.string().check((ctx) => {
    const length = [...ctx.value].length;
    if (length < min || length > max) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `must be ${min} to ${max} characters long`,
      });
    } else if (pattern && !pattern.test(ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `must match ${pattern}` });
    }
  });
}

// The bounds below are those of components.schemas in the yaml; the `satisfies` clauses make
// the compiler reject a schema whose shape drifts from the generated types.

/** `components.schemas.AssertionInput`: all four fields required, no others. */
export const assertionInputSchema = z.strictObject({
  subject: boundedString(1, 1024),
  predicate: boundedString(1, 256),
  value: z.json(),
  agent_id: boundedString(1, 256),
}) satisfies z.ZodType<Schemas['AssertionInput']>;

/** `components.schemas.ApiKeyCreateInput`. */
export const apiKeyCreateInputSchema = z.strictObject({
  label: boundedString(1, 128, /^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  role: z.enum(['admin', 'write_agent', 'read_agent']),
}) satisfies z.ZodType<Schemas['ApiKeyCreateInput']>;

/**
 * Parses a request body against a schema, or throws a 400 whose message names the first
 * offending field, e.g. `subject: must be a string`.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_request', 'The body must be a JSON object');
  }
  const result = schema.safeParse(body);
  // The input itself, not zod's copy: the schemas transform nothing, and the copy would lose a
  // `__proto__` key inside `value` (assigning it sets a prototype), changing data silently.
  if (result.success) return body as T;
  const issue = result.error.issues[0]!;
  throw new HttpError(
    400,
    'invalid_request',
    describeIssue(issue, body as Record<string, unknown>),
  );
}

function describeIssue(issue: z.core.$ZodIssue, body: Record<string, unknown>): string {
  const field = issue.path.map(String).join('.');
  // Never quote the input: it may be large, and a misplaced key must not be echoed back.
  if (issue.code === 'unrecognized_keys') {
    return `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  }
  if (issue.path.length === 1 && body[field] === undefined) return `${field}: is required`;
  switch (issue.code) {
    case 'invalid_type':
      return `${field}: must be ${article(issue.expected)}`;
    case 'invalid_value':
      return `${field}: must be one of ${issue.values.map(String).join(', ')}`;
    case 'custom':
      return `${field}: ${issue.message}`;
    default:
      return `${field}: is invalid`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
