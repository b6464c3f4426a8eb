/**
 * Schema issues from our own strict zod schemas (for kinds whose published schema we lack),
 * in the same shape as those from kubernetes-models' validators.
 */
import { z } from 'zod';
import { PARSE_ONCE } from '../../shared/parse-once.js';
import { at } from '../json.js';
import type { PathSegment } from '../paths.js';
import { jsonType, type SchemaIssue } from './issues.js';

/** Every issue of `object` against `schema`. */
export function checkWithZod(schema: z.ZodType, object: unknown): SchemaIssue[] {
  const result = schema.safeParse(object, PARSE_ONCE);
  if (result.success) return [];
  const issues: SchemaIssue[] = [];
  for (const issue of result.error.issues) {
    const segments = issue.path.filter(
      (s): s is string | number => typeof s === 'string' || typeof s === 'number',
    );
    const value = at(object, segments);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          issues.push({
            kind: 'unknown-field',
            segments: [...segments, key],
            detail: `unknown field "${key}"`,
            known: knownKeys(schema, segments),
          });
        }
        break;
      case 'invalid_type':
        issues.push(
          value === undefined
            ? {
                kind: 'required',
                segments,
                detail: `required field "${String(segments.at(-1))}" is missing`,
              }
            : {
                kind: 'type',
                segments,
                expected: issue.expected,
                detail: `must be ${issue.expected}, not ${jsonType(value)} (${JSON.stringify(value)})`,
              },
        );
        break;
      case 'invalid_value':
        issues.push({
          kind: 'enum',
          segments,
          allowed: issue.values,
          detail: `${JSON.stringify(value)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        });
        break;
      default:
        issues.push({
          kind: 'invalid',
          segments,
          detail: `${JSON.stringify(value)}: ${issue.message}`,
        });
    }
  }
  return issues;
}

/** The keys an object schema has at `segments`, looking through optional, arrays and maps. */
function knownKeys(schema: z.ZodType, segments: readonly PathSegment[]): string[] {
  let node: z.ZodType | undefined = schema;
  for (const segment of [...segments, undefined]) {
    while (
      node instanceof z.ZodOptional ||
      node instanceof z.ZodNullable ||
      node instanceof z.ZodDefault
    ) {
      node = node.unwrap() as z.ZodType;
    }
    if (segment === undefined) break;
    if (node instanceof z.ZodObject) node = node.shape[segment] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape).sort() : [];
}
