/**
 * Runtime schemas for request bodies, queries and responses, with the yaml's bounds.
 *
 * Each schema is checked at compile time to produce exactly the generated type (see the
 * `Same<...>` assertions at the bottom), so a schema cannot drift from the types; the bounds
 * (lengths, patterns, ranges) are checked against the yaml itself by `test/contract.test.ts`.
 * Inputs are strict (the yaml says `additionalProperties: false`); responses drop fields they
 * do not know, so a newer server stays readable.
 */
import { z } from 'zod';
import { API_KEY_PATTERN, KEY_HASH_PATTERN } from './keys.js';
import type {
  ApiKeyCreated,
  ApiKeyCreateInput,
  ApiKeyInfo,
  ApiKeyList,
  Assertion,
  AssertionFilter,
  AssertionInput,
  AssertionPage,
  AssertResponse,
  ErrorBody,
  Health,
  Role,
} from './types.js';

const dateTime = () => z.iso.datetime({ offset: true });

/** The longest Subject, Predicate and AgentId (the yaml's `maxLength`). */
export const SUBJECT_MAX = 1024;
export const PREDICATE_MAX = 256;
export const AGENT_ID_MAX = 256;

/** `components.schemas.Subject`. */
export const SubjectSchema = z.string().min(1).max(SUBJECT_MAX);
/** `components.schemas.Predicate`. */
export const PredicateSchema = z.string().min(1).max(PREDICATE_MAX);
/** `components.schemas.AgentId`. */
export const AgentIdSchema = z.string().min(1).max(AGENT_ID_MAX);
/** `components.schemas.AssertionValue`: any JSON value (present, and representable in JSON). */
export const AssertionValueSchema = z.unknown().superRefine((value, ctx) => {
  const problem = jsonProblem(value, 0);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
/** `components.schemas.Role`. */
export const RoleSchema = z.enum(['admin', 'write_agent', 'read_agent']);
/** `components.schemas.KeyHash`. */
export const KeyHashSchema = z.string().regex(KEY_HASH_PATTERN);
/** `components.schemas.ApiKey`. */
export const ApiKeySchema = z.string().regex(API_KEY_PATTERN);
/** `components.schemas.Label`. */
export const LabelSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);

export const AssertionInputSchema = z.strictObject({
  subject: SubjectSchema,
  predicate: PredicateSchema,
  value: AssertionValueSchema,
  agent_id: AgentIdSchema,
});

/** The query parameters of `listAssertions`. */
export const AssertionFilterSchema = z.strictObject({
  subject: SubjectSchema.optional(),
  predicate: PredicateSchema.optional(),
  agent_id: AgentIdSchema.optional(),
  limit: z.int().min(1).max(1000).optional(),
  cursor: z.string().min(1).max(512).optional(),
});

export const AssertResponseSchema = z.object({ id: z.string().min(1), accepted_at: dateTime() });

export const AssertionSchema = z.object({
  id: z.string().min(1),
  subject: SubjectSchema,
  predicate: PredicateSchema,
  value: z.unknown(),
  agent_id: AgentIdSchema,
  accepted_at: dateTime(),
});

export const AssertionPageSchema = z.object({
  items: z.array(AssertionSchema),
  next_cursor: z.string().nullable(),
});

export const ApiKeyCreateInputSchema = z.strictObject({ label: LabelSchema, role: RoleSchema });

export const ApiKeyCreatedSchema = z.object({
  key: ApiKeySchema,
  hash: KeyHashSchema,
  label: LabelSchema,
  role: RoleSchema,
  created_at: dateTime(),
});

export const ApiKeyInfoSchema = z.object({
  hash: KeyHashSchema,
  label: LabelSchema,
  role: RoleSchema,
  created_at: dateTime(),
  revoked_at: dateTime().nullable(),
});

export const ApiKeyListSchema = z.object({ keys: z.array(ApiKeyInfoSchema) });

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const HealthSchema = z.object({ status: z.string().optional() });

/**
 * Why a value cannot be sent as JSON, or undefined when it can. JSON.stringify would silently
 * turn NaN into null and drop functions; the yaml asks for a JSON value, so refuse them.
 */
export function jsonProblem(value: unknown, depth: number): string | undefined {
  if (depth > 256) return 'is nested too deeply';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : 'is not a finite number';
  if (value === undefined) return 'is required (any JSON value, null included)';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = item === undefined ? 'contains undefined' : jsonProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'is not a plain JSON object';
    for (const item of Object.values(value)) {
      if (item === undefined) continue; // JSON.stringify drops undefined members
      const problem = jsonProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `is a ${typeof value}, not a JSON value`;
}

// Compile-time drift checks: each schema must produce exactly the generated type.
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Check<T extends true> = T;
export type _SchemaDriftChecks = [
  Check<Same<z.output<typeof AssertionInputSchema>, AssertionInput>>,
  Check<Same<z.output<typeof AssertionFilterSchema>, AssertionFilter>>,
  Check<Same<z.output<typeof AssertResponseSchema>, AssertResponse>>,
  Check<Same<z.output<typeof AssertionSchema>, Assertion>>,
  Check<Same<z.output<typeof AssertionPageSchema>, AssertionPage>>,
  Check<Same<z.output<typeof RoleSchema>, Role>>,
  Check<Same<z.output<typeof ApiKeyCreateInputSchema>, ApiKeyCreateInput>>,
  Check<Same<z.output<typeof ApiKeyCreatedSchema>, ApiKeyCreated>>,
  Check<Same<z.output<typeof ApiKeyInfoSchema>, ApiKeyInfo>>,
  Check<Same<z.output<typeof ApiKeyListSchema>, ApiKeyList>>,
  Check<Same<z.output<typeof ErrorBodySchema>, ErrorBody>>,
  Check<Same<z.output<typeof HealthSchema>, Health>>,
];
