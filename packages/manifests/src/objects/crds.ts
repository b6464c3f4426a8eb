/**
 * Typed shapes of the custom resources we emit, limited to the fields we use; where a strict
 * schema of ours validates a kind, its type is inferred from that schema, so the two cannot
 * differ. The versions are those of the target cluster (k3s 1.31–1.33): Traefik v3
 * (`traefik.io/v1alpha1`, not the roadmap's `traefik.containo.us`), External Secrets Operator
 * `external-secrets.io/v1` (not the roadmap's `v1beta1`, which current ESO no longer serves),
 * prometheus-operator `monitoring.coreos.com/v1`.
 */
import type { z } from 'zod';
import type { IRecurringJob } from '../generated/longhorn/RecurringJob.js';
import type { prometheusRuleV1 } from '../validate/schema/prometheus-rule-v1.js';

/** Metadata of an object we emit: a name is always set. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Traefik v3 `Middleware`, only its rate limit. */
export interface TraefikMiddleware {
  apiVersion: 'traefik.io/v1alpha1';
  kind: 'Middleware';
  metadata: ObjectMeta;
  spec: {
    rateLimit?: {
      average: number;
      burst: number;
      period: string;
      sourceCriterion?: {
        requestHost?: boolean;
        ipStrategy?: { depth?: number; excludedIPs?: string[] };
        requestHeaderName?: string;
      };
    };
  };
}

/** External Secrets Operator `ExternalSecret` (`external-secrets.io/v1`). */
export interface ExternalSecret {
  apiVersion: 'external-secrets.io/v1';
  kind: 'ExternalSecret';
  metadata: ObjectMeta;
  spec: {
    refreshInterval: string;
    secretStoreRef: { name: string; kind: 'SecretStore' | 'ClusterSecretStore' };
    target: {
      name: string;
      creationPolicy: 'Owner' | 'Orphan' | 'Merge' | 'None';
      deletionPolicy?: 'Delete' | 'Merge' | 'Retain';
      template?: {
        engineVersion: 'v2';
        type?: string;
        metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
        data: Record<string, string>;
      };
    };
    data: { secretKey: string; remoteRef: { key: string; version?: string } }[];
  };
}

/** prometheus-operator `ServiceMonitor`. */
export interface ServiceMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor';
  metadata: ObjectMeta;
  spec: {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector?: { matchNames: string[] };
    endpoints: {
      /** The *name* of a Service port; a number here matches nothing. */
      port: string;
      path: string;
      interval: string;
      scheme?: 'http' | 'https';
    }[];
  };
}

/** prometheus-operator `PrometheusRule` as our strict schema reads it (validate/schema/). */
type PrometheusRuleV1 = z.infer<typeof prometheusRuleV1>;

/** One alerting or recording rule of a `PrometheusRule`, inferred from the schema. */
export type PrometheusRuleRule = NonNullable<
  NonNullable<PrometheusRuleV1['spec']['groups']>[number]['rules']
>[number];

/** prometheus-operator `PrometheusRule`, inferred from the schema that validates it. */
export type PrometheusRule = Omit<PrometheusRuleV1, 'metadata'> & { metadata: ObjectMeta };

/**
 * kustomize's `Kustomization` file. Not a cluster object: it has no metadata, is never applied,
 * and so is not part of the bundle; only the kustomize directory output writes it.
 */
export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  resources: string[];
  /** `fifo` keeps our apply order instead of kustomize's legacy kind order (kustomize ≥ 5.0). */
  sortOptions?: { order: 'fifo' | 'legacy' };
}

/** The RecurringJob spec as Longhorn's CRD states it (generated, src/generated/longhorn/). */
type RecurringJobSpec = NonNullable<IRecurringJob['spec']>;

/** What a Longhorn `RecurringJob` does to each volume it reaches (the CRD's enum). */
export type LonghornRecurringJobTask = NonNullable<RecurringJobSpec['task']>;

/**
 * Longhorn `RecurringJob` (`longhorn.io/v1beta2`, Longhorn ≥ 1.3), in Longhorn's namespace. It
 * reaches the volumes labelled `recurring-job-group.longhorn.io/<group>: enabled` for one of
 * its `groups`, or `recurring-job.longhorn.io/<name>: enabled`. The type is the CRD's, generated
 * by @kubernetes-models/crd-generate, with the fields we always set required; `cron` is
 * five-field and evaluated in UTC by longhorn-manager.
 */
export type LonghornRecurringJob = Omit<IRecurringJob, 'metadata' | 'spec' | 'status'> & {
  metadata: ObjectMeta;
  spec: RecurringJobSpec &
    Required<
      Pick<RecurringJobSpec, 'name' | 'task' | 'cron' | 'retain' | 'concurrency' | 'groups'>
    >;
};
