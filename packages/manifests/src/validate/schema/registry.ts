/**
 * The schema of each apiVersion/kind we can check: kubernetes-models' generated validators
 * (Kubernetes, prometheus-operator, Traefik, External Secrets v1 and older), plus our own strict
 * schema for a kind whose validator is too slow to load for a cold render (PrometheusRule, see
 * prometheus-rule-v1.ts), and Longhorn's RecurringJob, generated from its CRD (longhorn-v1beta2.ts).
 */
import type { z } from 'zod';
import { isObject } from '../json.js';
import { checkWithModel } from './ajv.js';
import type { SchemaIssue } from './issues.js';
import { recurringJobModel, recurringJobWebhookBounds } from './longhorn-v1beta2.js';
import { allModels, loadModel } from './models.js';
import { prometheusRuleV1 } from './prometheus-rule-v1.js';
import { checkWithZod } from './zod.js';

/** A schema for one apiVersion/kind. */
export interface KindSchema {
  /** Where the schema comes from: a published one, or one we wrote (documented in its file). */
  readonly source: 'kubernetes-models' | 'crd-generate' | 'ours';
  check(object: unknown): SchemaIssue[];
}

const OWN_SCHEMAS: Record<string, z.ZodType> = {
  'monitoring.coreos.com/v1 PrometheusRule': prometheusRuleV1,
};

const cache = new Map<string, KindSchema | undefined>();

function ownSchema(schema: z.ZodType): KindSchema {
  return {
    source: 'ours',
    check(object) {
      // Metadata is ObjectMeta for every kind: check it against the published schema.
      const configMap = loadModel('v1', 'ConfigMap');
      const meta = isObject(object) ? object.metadata : undefined;
      return [
        ...checkWithZod(schema, object),
        ...(configMap
          ? checkWithModel(configMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta })
          : []),
      ];
    },
  };
}

/** The schema of `apiVersion`/`kind`, if we have one. */
export function schemaFor(apiVersion: string, kind: string): KindSchema | undefined {
  const key = `${apiVersion} ${kind}`;
  if (!cache.has(key)) {
    if (key === 'longhorn.io/v1beta2 RecurringJob') {
      const longhorn = recurringJobModel();
      cache.set(key, {
        source: 'crd-generate',
        check: (object) => [
          ...checkWithModel(longhorn, object),
          ...checkWithZod(recurringJobWebhookBounds, object),
        ],
      });
      return cache.get(key);
    }
    const own = OWN_SCHEMAS[key];
    const model = own ? undefined : loadModel(apiVersion, kind);
    cache.set(
      key,
      own
        ? ownSchema(own)
        : model
          ? { source: 'kubernetes-models', check: (object) => checkWithModel(model, object) }
          : undefined,
    );
  }
  return cache.get(key);
}

function keys(): string[] {
  return [...allModels().keys(), ...Object.keys(OWN_SCHEMAS), 'longhorn.io/v1beta2 RecurringJob'];
}

/** The apiVersions we know `kind` in, for "did you mean" hints (loads every model: slow). */
export function apiVersionsOf(kind: string): string[] {
  return keys()
    .map((key) => key.split(' '))
    .filter(([, k]) => k === kind)
    .map(([apiVersion]) => apiVersion!);
}

/** The kinds we know in `apiVersion` (loads every model: slow). */
export function kindsOf(apiVersion: string): string[] {
  return keys()
    .map((key) => key.split(' '))
    .filter(([v]) => v === apiVersion)
    .map(([, kind]) => kind!);
}
