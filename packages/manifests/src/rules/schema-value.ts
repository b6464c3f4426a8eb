/**
 * Values the schema rejects: missing required fields, wrong JSON types, values outside an enum,
 * and values failing a pattern or format. These are what kubernetes-models' `validate()`
 * reports, with the path and a fix.
 */
import type { RuleContext } from '../validate/context.js';
import { at } from '../validate/json.js';
import { formatPath } from '../validate/paths.js';
import type { Issue, Rule } from '../validate/rule.js';
import { apiVersionProblem } from '../validate/schema/api-versions.js';
import type { SchemaIssue, SchemaIssueKind } from '../validate/schema/issues.js';

function* issuesOf(
  context: RuleContext,
  kind: SchemaIssueKind,
  fix: (issue: SchemaIssue, value: unknown) => string,
): Iterable<Issue> {
  for (const object of context.objects) {
    if (apiVersionProblem(String(object.apiVersion), String(object.kind))) continue;
    for (const issue of context.schemaIssues(object) ?? []) {
      if (issue.kind !== kind) continue;
      const value = at(object, issue.segments);
      yield {
        object,
        path: formatPath(issue.segments),
        message: `${issue.detail} (${object.kind} ${object.apiVersion})`,
        fix: fix(issue, value),
      };
    }
  }
}

export const schemaRequiredField: Rule = {
  id: 'schema/required-field',
  severity: 'error',
  description: 'A field the schema requires is missing.',
  check: (context) => issuesOf(context, 'required', (issue) => `set ${formatPath(issue.segments)}`),
};

function typeFix(issue: SchemaIssue, value: unknown): string {
  const expected = issue.expected ?? 'the type the schema expects';
  if (expected.includes('integer') && typeof value === 'string' && /^\d+$/.test(value)) {
    return `write it as a number, without quotes: ${value}`;
  }
  if (expected.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
    return `quote it: "${String(value)}" (labels, annotations and many parameters are strings)`;
  }
  return `write it as ${expected}`;
}

export const schemaType: Rule = {
  id: 'schema/type',
  severity: 'error',
  description:
    'A value of the wrong JSON type (a quoted number, an unquoted string value, an object for a list).',
  check: (context) => issuesOf(context, 'type', typeFix),
};

export const schemaEnum: Rule = {
  id: 'schema/enum',
  severity: 'error',
  description: 'A value outside the set the schema allows (e.g. a protocol, a policy name).',
  check: (context) =>
    issuesOf(
      context,
      'enum',
      (issue) => `use one of ${(issue.allowed ?? []).map((v) => JSON.stringify(v)).join(', ')}`,
    ),
};

export const schemaInvalidValue: Rule = {
  id: 'schema/invalid-value',
  severity: 'error',
  description: 'A value that fails a pattern, format or range of its schema.',
  check: (context) =>
    issuesOf(context, 'invalid', () => 'change the value to one the schema accepts'),
};
