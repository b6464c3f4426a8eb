/**
 * Unknown fields are errors, as the API server's strict field validation makes them
 * (`kubectl apply --validate=strict`, the default since 1.27 for server-side apply errors on
 * them; client-side apply silently drops them, which is worse: the setting you wrote is not the
 * one running). The common cause is a field one level off, so the fix says where it belongs.
 */

import { formatPath, genericPath, type PathSegment } from '../validate/paths.js';
import type { Issue, Rule } from '../validate/rule.js';
import { apiVersionProblem } from '../validate/schema/api-versions.js';
import { closest } from '../validate/suggest.js';

/** Fields of a container's securityContext that PodSecurityContext lacks. */
const CONTAINER_ONLY_SECURITY = new Set([
  'readOnlyRootFilesystem',
  'allowPrivilegeEscalation',
  'capabilities',
  'privileged',
  'procMount',
]);

/** Fields of PodSecurityContext that a container's securityContext lacks. */
const POD_ONLY_SECURITY = new Set([
  'fsGroup',
  'fsGroupChangePolicy',
  'supplementalGroups',
  'supplementalGroupsPolicy',
  'sysctls',
]);

/** Pod spec fields often written on a container. */
const POD_FIELDS = new Set([
  'nodeSelector',
  'tolerations',
  'affinity',
  'volumes',
  'serviceAccountName',
  'imagePullSecrets',
  'hostNetwork',
  'priorityClassName',
  'terminationGracePeriodSeconds',
  'dnsPolicy',
  'topologySpreadConstraints',
]);

/** Container fields often written on the pod spec. */
const CONTAINER_FIELDS = new Set([
  'image',
  'imagePullPolicy',
  'command',
  'args',
  'env',
  'envFrom',
  'ports',
  'volumeMounts',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'workingDir',
]);

const METADATA_FIELDS = new Set(['name', 'namespace', 'labels', 'annotations']);

const POD_SPEC = /(^|\.)(spec\.template\.spec|spec\.jobTemplate\.spec\.template\.spec|spec)$/;

/** Where `key` belongs, when it is a known misplacement. */
function placementHint(parent: readonly PathSegment[], key: string): string | undefined {
  const where = genericPath(parent);
  const isPod = POD_SPEC.test(where) && !where.includes('containers');
  if (
    where.endsWith('.securityContext') &&
    !where.includes('ontainers[*]') &&
    CONTAINER_ONLY_SECURITY.has(key)
  ) {
    const podSpec = formatPath(parent.slice(0, -1));
    return `"${key}" is a container setting: PodSecurityContext has no such field. Move it to each container: ${podSpec}.containers[*].securityContext.${key}`;
  }
  if (/ontainers\[\*]\.securityContext$/.test(where) && POD_ONLY_SECURITY.has(key)) {
    const podSpec = formatPath(parent.slice(0, -3));
    return `"${key}" is a pod setting: move it to ${podSpec}.securityContext.${key}`;
  }
  if (/ontainers\[\*]$/.test(where) && POD_FIELDS.has(key)) {
    return `"${key}" belongs on the pod spec (${formatPath(parent.slice(0, -2))}.${key}), not on a container`;
  }
  if (isPod && CONTAINER_FIELDS.has(key)) {
    return `"${key}" belongs on a container (${where}.containers[*].${key}), not on the pod spec`;
  }
  if (/backend$/.test(where) && (key === 'serviceName' || key === 'servicePort')) {
    return `"${key}" is the removed networking.k8s.io/v1beta1 form: write ${formatPath(parent)}.service: { name: …, port: { number: … } } (or port.name)`;
  }
  if ((where === '' || /(^|\.)template$/.test(where)) && METADATA_FIELDS.has(key)) {
    return `"${key}" belongs under metadata: ${formatPath([...parent, 'metadata', key])}`;
  }
  return undefined;
}

export const schemaUnknownField: Rule = {
  id: 'schema/unknown-field',
  severity: 'error',
  description:
    'A field the schema of its kind and apiVersion does not have: the API server rejects it under strict field validation, or silently drops it.',
  *check(context) {
    for (const object of context.objects) {
      if (apiVersionProblem(String(object.apiVersion), String(object.kind))) continue;
      for (const issue of context.schemaIssues(object) ?? []) {
        if (issue.kind !== 'unknown-field') continue;
        const parent = issue.segments.slice(0, -1);
        const key = String(issue.segments.at(-1));
        const known = issue.known ?? [];
        const guess = closest(key, known);
        const fix =
          placementHint(parent, key) ??
          (guess
            ? `did you mean "${guess}"?`
            : known.length > 0
              ? `remove it; the fields allowed at ${formatPath(parent) || 'the top level'} are: ${known.slice(0, 15).join(', ')}${known.length > 15 ? ', …' : ''}`
              : 'remove it');
        const result: Issue = {
          object,
          path: formatPath(issue.segments),
          message: `unknown field "${key}" in ${object.kind} (${object.apiVersion}) at ${formatPath(parent) || 'the top level'}`,
          fix,
        };
        yield result;
      }
    }
  },
};
