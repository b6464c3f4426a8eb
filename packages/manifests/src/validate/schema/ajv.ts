/**
 * Runs a kubernetes-models validator on a plain object and turns its ajv errors and the
 * fields it never read (see track.ts) into schema issues.
 */
import { isObject } from '../json.js';
import { type PathSegment, pointerSegments } from '../paths.js';
import { jsonType, type SchemaIssue } from './issues.js';
import { type Tracker, track } from './track.js';

/** The part of ajv's ErrorObject we use (ajv itself is not our dependency). */
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A kubernetes-models class: its prototype's `validate()` runs the compiled schema on `this`. */
export interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

/** Every schema issue of `object` against a kubernetes-models class. */
export function checkWithModel(model: ModelClass, object: unknown): SchemaIssue[] {
  const tracker = track(object);
  let errors: AjvError[] = [];
  try {
    model.prototype.validate.call(tracker.proxy);
  } catch (error) {
    const list = (error as { errors?: unknown }).errors;
    if (!Array.isArray(list)) throw error;
    errors = list as AjvError[];
  }
  return [...unknownFields(object, tracker), ...valueIssues(errors, object)];
}

/** Keys the validator never read, in objects whose schema lists properties. */
function unknownFields(root: unknown, tracker: Tracker): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const walk = (node: unknown, segments: PathSegment[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        walk(item, [...segments, index]);
      });
      return;
    }
    if (!isObject(node)) return;
    const record = tracker.record(node);
    // Never reached (below a field the schema lacks) or free-form: nothing to judge.
    if (!record || (!record.enumerated && record.reads.size === 0)) return;
    for (const [key, value] of Object.entries(node)) {
      if (record.enumerated || record.reads.has(key)) {
        walk(value, [...segments, key]);
      } else {
        issues.push({
          kind: 'unknown-field',
          segments: [...segments, key],
          detail: `unknown field "${key}"`,
          known: [...record.reads].sort(),
        });
      }
    }
  };
  walk(root, []);
  return issues;
}

/** ajv errors as issues; a failed `oneOf`/`anyOf` is one issue, not one per branch. */
function valueIssues(errors: readonly AjvError[], root: unknown): SchemaIssue[] {
  const unions = new Set(
    errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const inUnion =
      unions.has(error.instancePath) && error.keyword !== 'oneOf' && error.keyword !== 'anyOf';
    if (inUnion) continue;
    const segments = pointerSegments(error.instancePath, root);
    const value = segments.reduce<unknown>(
      (node, key) => (isObject(node) || Array.isArray(node) ? (node as never)[key] : undefined),
      root,
    );
    const issue = toIssue(error, segments, value, errors);
    const key = `${issue.kind}:${JSON.stringify(issue.segments)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function toIssue(
  error: AjvError,
  segments: PathSegment[],
  value: unknown,
  all: readonly AjvError[],
): SchemaIssue {
  const shown = JSON.stringify(value);
  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params.missingProperty);
      return {
        kind: 'required',
        segments: [...segments, missing],
        detail: `required field "${missing}" is missing`,
      };
    }
    case 'type': {
      const expected = String(error.params.type);
      return {
        kind: 'type',
        segments,
        expected,
        detail: `must be ${article(expected)} ${expected}, not ${article(jsonType(value))} ${jsonType(value)} (${shown})`,
      };
    }
    case 'enum':
    case 'const': {
      const allowed = (error.params.allowedValues as unknown[] | undefined) ?? [
        error.params.allowedValue,
      ];
      return {
        kind: 'enum',
        segments,
        allowed,
        detail: `${shown} is not one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    case 'oneOf':
    case 'anyOf': {
      const types = all
        .filter((e) => e.instancePath === error.instancePath && e.keyword === 'type')
        .map((e) => String(e.params.type));
      const expected = [...new Set(types)].join(' or ');
      return types.length > 0
        ? {
            kind: 'type',
            segments,
            expected,
            detail: `must be ${expected}, not ${jsonType(value)} (${shown})`,
          }
        : { kind: 'invalid', segments, detail: `${shown} matches none of the allowed forms` };
    }
    default:
      return {
        kind: 'invalid',
        segments,
        detail: `${shown} ${error.message ?? `fails "${error.keyword}"`}`,
      };
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
