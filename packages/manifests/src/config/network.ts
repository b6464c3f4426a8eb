/** Config sections for traffic: the public route, Traefik's rate limit and the NetworkPolicy. */
import { z } from 'zod';
import * as D from '../defaults.js';
import { DNS_NAME, DNS_NAME_MESSAGE, dnsLabel, dnsName, duration } from './primitives.js';

/**
 * The public route (roadmap ingress.yaml): a Traefik IngressRoute for the host, except the scrape
 * path, with TLS from a cert-manager Certificate. The section keeps the roadmap's name.
 */
export const ingressSchema = z.strictObject(
  {
    /** Public host name. Required: there is no default (the roadmap's is a placeholder). */
    host: z
      .string({ error: 'required: the public host name, e.g. stemedb.threesix.ai (no default)' })
      .max(253)
      .regex(DNS_NAME, DNS_NAME_MESSAGE)
      .refine((h) => h.includes('.'), 'must be a fully qualified host name')
      .refine((h) => !D.PLACEHOLDER_HOST.test(h), 'is a placeholder: set the real public host name')
      // The refines for the JSON Schema: a dot, and not a placeholder (the host is lowercase by
      // then, so the case-insensitive pattern's lowercase source says the same).
      .meta({ allOf: [{ pattern: '\\.' }, { not: { pattern: D.PLACEHOLDER_HOST.source } }] }),
    /** Set as the IngressRoute's `kubernetes.io/ingress.class` annotation. @default 'traefik' */
    className: z.string().min(1).default(D.DEFAULT_INGRESS.className),
    /** @default ['websecure'] */
    entryPoints: z
      .array(z.string().min(1))
      .min(1)
      .default([...D.DEFAULT_INGRESS.entryPoints]),
    /** cert-manager ClusterIssuer of the Certificate; `null` to manage the TLS Secret yourself. @default 'letsencrypt-prod' */
    clusterIssuer: z.string().min(1).nullable().default(D.DEFAULT_INGRESS.clusterIssuer),
    /** @default 'stemedb-tls' */
    tlsSecretName: dnsName.default(D.DEFAULT_INGRESS.tlsSecretName),
  },
  {
    error: (iss) =>
      iss.input === undefined
        ? 'required: { host: <public host name> } (there is no default)'
        : undefined,
  },
);

/** Traefik rate limit Middleware (roadmap middleware.yaml). */
export const rateLimitSchema = z
  .strictObject({
    /** @default true */
    enabled: z.boolean().default(D.DEFAULT_RATE_LIMIT.enabled),
    /** Requests per period, on average. @default 500 */
    average: z.number().int().positive().default(D.DEFAULT_RATE_LIMIT.average),
    /** @default 1000 */
    burst: z.number().int().positive().default(D.DEFAULT_RATE_LIMIT.burst),
    /** @default '1s' */
    period: duration.default(D.DEFAULT_RATE_LIMIT.period),
    /** `global`: one bucket per host; `client-ip`: Traefik's default, one per client IP. @default 'global' */
    scope: z.enum(['global', 'client-ip']).default(D.DEFAULT_RATE_LIMIT.scope),
  })
  .prefault({});

/** NetworkPolicies of the server and backup pods (roadmap network-policy.yaml). */
export const networkPolicySchema = z
  .strictObject({
    /** @default true */
    enabled: z.boolean().default(D.DEFAULT_NETWORK_POLICY.enabled),
    /** Namespace of Traefik, allowed in to the server port. @default 'kube-system' */
    traefikNamespace: dnsLabel.default(D.DEFAULT_NETWORK_POLICY.traefikNamespace),
    /** Let the server open HTTPS connections to anywhere. @default false */
    allowHttpsEgress: z.boolean().default(D.DEFAULT_NETWORK_POLICY.allowHttpsEgress),
  })
  .prefault({});
