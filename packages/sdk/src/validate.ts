/**
 * Turning zod's verdicts into SDK errors: a {@link StemeValidationError} naming the field for
 * options and inputs, a `StemeApiError` with code `invalid_response` for responses.
 *
 * Messages name fields and rules, never the values: a value may be a key.
 */
import type { z } from 'zod';
import { StemeApiError, type StemeErrorCode, StemeValidationError } from './errors.js';

type Issue = z.core.$ZodIssue;

/** Where the first issue is, dotted (`retry.delays.1`), and what is wrong there. */
export function describeIssue(issue: Issue, prefix = ''): { field: string; problem: string } {
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return { field: path === '' ? key : `${path}.${key}`, problem: 'is not a known field' };
  }
  return { field: path, problem: issue.message };
}

/**
 * Parses `value` with `schema` or throws a StemeValidationError naming the first bad field.
 *
 * @param what - what is being checked, for the message: `client option`, `assertion`...
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  code: Extract<StemeErrorCode, 'invalid_options' | 'invalid_input'> = 'invalid_input',
  prefix = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) {
    throw new StemeValidationError({ code, message: `Invalid ${what}` });
  }
  const { field, problem } = describeIssue(issue, prefix);
  const message =
    issue.code === 'unrecognized_keys'
      ? `Unknown ${what} "${field}"`
      : `Invalid ${what}${field === '' ? '' : ` ${field}`}: ${problem}`;
  throw new StemeValidationError({ code, field: field === '' ? undefined : field, message });
}

/** Context for an unusable response. */
export interface ResponseContext {
  method: string;
  path: string;
  status: number;
  requestId: string | undefined;
  body: string;
  attempts: number;
  /** Masked in the error's message and body (the client's key). */
  secrets?: readonly string[] | undefined;
}

/** Parses a response body (already JSON-decoded) or throws `invalid_response`. */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  ctx: ResponseContext,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined ? undefined : describeIssue(issue);
  const detail = where === undefined ? '' : `: ${where.field || 'body'} ${where.problem}`;
  throw invalidResponse(ctx, `the body does not match the OpenAPI schema${detail}`);
}

/** Decodes a JSON response body or throws `invalid_response`. */
export function parseJsonBody(ctx: ResponseContext): unknown {
  try {
    return JSON.parse(ctx.body);
  } catch {
    throw invalidResponse(
      ctx,
      ctx.body.trim() === '' ? 'the body is empty' : 'the body is not JSON',
    );
  }
}

/** An error for a response the SDK cannot use. */
export function invalidResponse(ctx: ResponseContext, why: string): StemeApiError {
  return new StemeApiError({
    code: 'invalid_response',
    message: `${ctx.method} ${ctx.path}: invalid response (${ctx.status}): ${why}`,
    status: ctx.status,
    method: ctx.method,
    path: ctx.path,
    requestId: ctx.requestId,
    attempts: ctx.attempts,
    body: ctx.body,
    secrets: ctx.secrets,
  });
}
