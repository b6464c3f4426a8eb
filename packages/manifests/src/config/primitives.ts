/**
 * The small zod schemas every config section is made of: Kubernetes names, quantities,
 * durations, resources, probes and pinned image references.
 */
import { z } from 'zod';
import { CLUSTER_NAMESPACES } from '../defaults.js';
import { imageProblem, parseImage } from '../shared/image.js';
import { isQuantity, QUANTITY_PATTERN, quantityValue } from '../shared/quantity.js';
import { caseInsensitivePattern } from './json-schema-patterns.js';

/** A DNS-1123 label: namespaces, container and port names. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lowercase a-z, 0-9 and "-"');

/**
 * The instance's namespace: a DNS label that is not one of the cluster's own namespaces. The
 * bundle stamps Pod Security `restricted` on its namespace and puts default-deny
 * NetworkPolicies there: in kube-system that refuses k3s's own pods, in longhorn-system
 * Longhorn's. The operators' namespaces the config names are refused too (config.ts).
 */
export const instanceNamespace = dnsLabel.regex(
  new RegExp(`^(?!(${CLUSTER_NAMESPACES.join('|')})$)`),
  `must not be a namespace the cluster owns (${CLUSTER_NAMESPACES.join(', ')}): the bundle enforces Pod Security "restricted" and default-deny NetworkPolicies in its namespace`,
);

/** A DNS-1123 subdomain: object names and host names. */
export const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_NAME_MESSAGE = 'must be a DNS name: lowercase a-z, 0-9, "-" and "."';
export const dnsName = z.string().max(253).regex(DNS_NAME, DNS_NAME_MESSAGE);

/** A label value (the `release` label): up to 63 characters. */
export const labelValue = z
  .string()
  .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, 'must be a Kubernetes label value');

/** A Kubernetes quantity such as `500m` or `20Gi`. */
export const quantity = z
  .string()
  .refine(isQuantity, 'must be a Kubernetes quantity such as "500m" or "20Gi"')
  // The same check for the JSON Schema (`stemedb-manifests schema`), which cannot run the refine.
  .meta({ pattern: QUANTITY_PATTERN.source });

/** A Go/Prometheus duration such as `15s` or `1h30m`. */
export const duration = z
  .string()
  .regex(/^(\d+(ms|s|m|h))+$/, 'must be a duration such as "15s", "5m" or "1h"');

/** A Prometheus duration, which also has days, weeks and years (`for:` of an alert). */
export const promDuration = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'must be a Prometheus duration such as "2m" or "1h"');

/** A positive whole number of seconds (or probe failures). */
export const positiveInt = z.number().int().positive();

/** A uid or gid other than root's 0. */
export const nonRootId = z.number().int().min(1, 'must not be root (0)');

const cpuMemory = (d: { readonly cpu: string; readonly memory: string }) =>
  z.strictObject({ cpu: quantity.default(d.cpu), memory: quantity.default(d.memory) }).prefault({});

/** Container requests and limits; a request above its limit is refused. */
export const resources = (d: {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}) =>
  z
    .strictObject({ requests: cpuMemory(d.requests), limits: cpuMemory(d.limits) })
    .prefault({})
    .superRefine((r, ctx) => {
      for (const k of ['cpu', 'memory'] as const) {
        // Bad quantities are reported by their own check; refinements still run after it.
        if (!isQuantity(r.requests[k]) || !isQuantity(r.limits[k])) continue;
        if (quantityValue(r.requests[k]) > quantityValue(r.limits[k])) {
          ctx.addIssue({
            code: 'custom',
            path: ['requests', k],
            message: `request ${r.requests[k]} exceeds limit ${r.limits[k]}`,
          });
        }
      }
    });

/** The timing of one probe. */
export const probe = (d: {
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}) =>
  z
    .strictObject({
      periodSeconds: positiveInt.default(d.periodSeconds),
      failureThreshold: positiveInt.default(d.failureThreshold),
      timeoutSeconds: positiveInt.default(d.timeoutSeconds),
    })
    .prefault({});

/** A whole image reference, pinned by a tag other than `latest` or by a digest. */
export const pinnedImage = z
  .string()
  .superRefine((ref, ctx) => {
    const problem = imageProblem(parseImage(ref));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  // The pin, for the JSON Schema: ends in a tag (after the last `/`) or a digest, and the tag
  // is not `latest`. The repository's own syntax is left to `validate`.
  .meta({
    allOf: [
      { pattern: '(?::\\w[\\w.-]{0,127}|@sha256:[a-f0-9]{64})$' },
      { not: { pattern: `:${caseInsensitivePattern('latest')}(?:@|$)` } },
    ],
  });
