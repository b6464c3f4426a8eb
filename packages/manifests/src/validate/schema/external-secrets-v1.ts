/**
 * OUR strict schema for External Secrets Operator `external-secrets.io/v1` (ESO ≥ 0.16), the
 * version current ESO serves. @kubernetes-models/external-secrets 0.5.2 ships only v1alpha1 and
 * v1beta1 schemas, so this one is written by hand from the v1beta1 schema (v1 is that API
 * promoted) plus the fields v1 added (`refreshPolicy`, `template.mergePolicy`). It is strict
 * like the API server: a field not listed here is reported as unknown. Provider blocks of the
 * stores are not modelled (free-form): each provider has its own large schema.
 * If ESO adds a field we need, add it here.
 */
import { z } from 'zod';

const str = z.string();
const strMap = z.record(z.string(), z.string());
const opaque = z.record(z.string(), z.unknown());

const storeRef = z.strictObject({
  name: str,
  kind: z.enum(['SecretStore', 'ClusterSecretStore']).optional(),
});

const sourceRef = z.strictObject({
  storeRef: storeRef.optional(),
  generatorRef: z.strictObject({ apiVersion: str.optional(), kind: str, name: str }).optional(),
});

const remoteRef = z.strictObject({
  key: str,
  property: str.optional(),
  version: str.optional(),
  metadataPolicy: z.enum(['None', 'Fetch']).optional(),
  conversionStrategy: z.enum(['Default', 'Unicode']).optional(),
  decodingStrategy: z.enum(['Auto', 'Base64', 'Base64URL', 'None']).optional(),
});

const templateFromItems = z.array(
  z.strictObject({ key: str, templateAs: z.enum(['Values', 'KeysAndValues']).optional() }),
);

const template = z.strictObject({
  type: str.optional(),
  engineVersion: z.enum(['v1', 'v2']).optional(),
  mergePolicy: z.enum(['Replace', 'Merge']).optional(),
  metadata: z
    .strictObject({
      labels: strMap.optional(),
      annotations: strMap.optional(),
      finalizers: z.array(str).optional(),
    })
    .optional(),
  data: strMap.optional(),
  templateFrom: z
    .array(
      z.strictObject({
        configMap: z.strictObject({ name: str, items: templateFromItems }).optional(),
        secret: z.strictObject({ name: str, items: templateFromItems }).optional(),
        target: z.enum(['Data', 'Annotations', 'Labels']).optional(),
        literal: str.optional(),
      }),
    )
    .optional(),
});

const dataFrom = z.strictObject({
  extract: remoteRef.optional(),
  find: z
    .strictObject({
      path: str.optional(),
      name: z.strictObject({ regexp: str.optional() }).optional(),
      tags: strMap.optional(),
      conversionStrategy: z.enum(['Default', 'Unicode']).optional(),
      decodingStrategy: z.enum(['Auto', 'Base64', 'Base64URL', 'None']).optional(),
    })
    .optional(),
  rewrite: z.array(opaque).optional(),
  sourceRef: sourceRef.optional(),
});

/** `external-secrets.io/v1` ExternalSecret, without metadata (checked against ObjectMeta). */
export const externalSecretV1 = z.strictObject({
  apiVersion: z.literal('external-secrets.io/v1'),
  kind: z.literal('ExternalSecret'),
  metadata: z.unknown(),
  spec: z.strictObject({
    secretStoreRef: storeRef.optional(),
    target: z
      .strictObject({
        name: str.optional(),
        creationPolicy: z.enum(['Owner', 'Orphan', 'Merge', 'None']).optional(),
        deletionPolicy: z.enum(['Delete', 'Merge', 'Retain']).optional(),
        template: template.optional(),
        immutable: z.boolean().optional(),
      })
      .optional(),
    refreshPolicy: z.enum(['CreatedOnce', 'Periodic', 'OnChange']).optional(),
    refreshInterval: str.optional(),
    data: z
      .array(z.strictObject({ secretKey: str, remoteRef, sourceRef: sourceRef.optional() }))
      .optional(),
    dataFrom: z.array(dataFrom).optional(),
  }),
  status: z.unknown().optional(),
});

const storeSpec = z.strictObject({
  provider: opaque,
  controller: str.optional(),
  refreshInterval: z.number().int().optional(),
  retrySettings: z
    .strictObject({ maxRetries: z.number().int().optional(), retryInterval: str.optional() })
    .optional(),
  conditions: z.array(opaque).optional(),
});

/** `external-secrets.io/v1` SecretStore; the provider block is free-form. */
export const secretStoreV1 = z.strictObject({
  apiVersion: z.literal('external-secrets.io/v1'),
  kind: z.literal('SecretStore'),
  metadata: z.unknown(),
  spec: storeSpec,
  status: z.unknown().optional(),
});

/** `external-secrets.io/v1` ClusterSecretStore; the provider block is free-form. */
export const clusterSecretStoreV1 = z.strictObject({
  apiVersion: z.literal('external-secrets.io/v1'),
  kind: z.literal('ClusterSecretStore'),
  metadata: z.unknown(),
  spec: storeSpec,
  status: z.unknown().optional(),
});
