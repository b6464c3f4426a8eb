/**
 * Is the apiVersion/kind served by the target cluster? Removed versions fail `kubectl apply`;
 * deprecated ones stop working at the next upgrade (Traefik v3 ignores traefik.containo.us
 * objects without a word; ESO 0.17 stops serving v1beta1). An unknown combination is a typo or
 * a kind we hold no schema for: either way it cannot be checked, so it is an error.
 */
import type { KubeObject } from '../types.js';
import type { RuleContext } from '../validate/context.js';
import type { Issue, Rule } from '../validate/rule.js';
import { apiVersionProblem } from '../validate/schema/api-versions.js';
import { apiVersionsOf, kindsOf, schemaFor } from '../validate/schema/registry.js';
import { closest } from '../validate/suggest.js';

function* problems(context: RuleContext, status: 'removed' | 'deprecated'): Iterable<Issue> {
  for (const object of context.objects) {
    const problem = apiVersionProblem(String(object.apiVersion), String(object.kind));
    if (problem?.status !== status) continue;
    yield {
      object,
      path: 'apiVersion',
      message:
        status === 'removed'
          ? `${object.apiVersion} ${object.kind} is no longer served: removed in ${problem.since}`
          : `${object.apiVersion} ${object.kind} is deprecated since ${problem.since}`,
      fix: `use apiVersion: ${problem.replacement} (and check the fields that changed with it)`,
    };
  }
}

export const schemaRemovedApi: Rule = {
  id: 'schema/removed-api',
  severity: 'error',
  description:
    'The apiVersion is no longer served by the target cluster (Kubernetes 1.31–1.33, Traefik v3, ESO).',
  check: (context) => problems(context, 'removed'),
};

export const schemaDeprecatedApi: Rule = {
  id: 'schema/deprecated-api',
  severity: 'error',
  description:
    'The apiVersion is deprecated on the target cluster and stops working at the next upgrade.',
  check: (context) => problems(context, 'deprecated'),
};

function unknownKindIssue(object: KubeObject): Issue | undefined {
  const { apiVersion, kind } = object;
  if (
    typeof apiVersion !== 'string' ||
    typeof kind !== 'string' ||
    apiVersion === '' ||
    kind === ''
  ) {
    return {
      object,
      path: typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind',
      message: 'apiVersion and kind are required',
      fix: 'set both apiVersion and kind',
    };
  }
  if (apiVersionProblem(apiVersion, kind) || schemaFor(apiVersion, kind)) return undefined;
  const versions = apiVersionsOf(kind).filter((v) => !apiVersionProblem(v, kind));
  if (versions.length > 0) {
    return {
      object,
      path: 'apiVersion',
      message: `${apiVersion} has no kind ${kind}`,
      fix: `${kind} is served as ${versions.join(' or ')}`,
    };
  }
  const kinds = kindsOf(apiVersion);
  const guess = closest(kind, kinds);
  return {
    object,
    path: 'kind',
    message:
      kinds.length > 0
        ? `${apiVersion} has no kind ${kind}`
        : `unknown apiVersion/kind ${apiVersion} ${kind}: no schema to check it against`,
    fix: guess
      ? `did you mean kind: ${guess}?`
      : 'use a served apiVersion/kind; for a custom resource we hold no schema for, add a strict schema under src/validate/schema/',
  };
}

export const schemaUnknownKind: Rule = {
  id: 'schema/unknown-kind',
  severity: 'error',
  description:
    'The apiVersion/kind combination is not one the target cluster serves (or one we have no schema for).',
  *check(context) {
    for (const object of context.objects) {
      const issue = unknownKindIssue(object);
      if (issue) yield issue;
    }
  },
};
