/**
 * What a schema check finds, before it becomes a finding: the kind of problem and where.
 */
import type { PathSegment } from '../paths.js';

/** The kinds of schema problem, one rule id each. */
export type SchemaIssueKind = 'unknown-field' | 'required' | 'type' | 'enum' | 'invalid';

/** One schema problem in one object. */
export interface SchemaIssue {
  kind: SchemaIssueKind;
  /** Where: for `required`, the missing field itself; for `unknown-field`, the unknown key. */
  segments: PathSegment[];
  /** What is wrong, in words, without the path. */
  detail: string;
  /** For `unknown-field`: the keys the schema does know at that place. */
  known?: readonly string[];
  /** For `enum`: the allowed values. */
  allowed?: readonly unknown[];
  /** For `type`: the expected JSON type(s). */
  expected?: string;
}

/** The JSON type of a value, as schemas name them. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
