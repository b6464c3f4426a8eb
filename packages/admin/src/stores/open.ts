/**
 * `openSecretStore(spec)`: the one entry point the commands use to get a store from `--store`.
 */
import { z } from 'zod';
import { SecretStoreError } from './errors.js';
import { createFileSecretStore, type FileSecretStoreOptions } from './file.js';
import { createGcpSecretStore, type GcpSecretStoreOptions } from './gcp.js';
import { parseLoopbackEndpoint } from './gcp-endpoint.js';
import { createK8sSecretStore, type K8sSecretStoreOptions } from './k8s.js';
import { createMemorySecretStore } from './memory.js';
import { parseStoreOptions } from './options.js';
import { parseStoreSpec } from './spec.js';
import type { SecretStore } from './types.js';

/** Options of {@link openSecretStore}; each group applies only to its kind of store. */
export interface OpenSecretStoreOptions {
  /**
   * Where `gcp:` with no project finds `GOOGLE_CLOUD_PROJECT`.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * `host:port` of a local Secret Manager to talk to over plaintext (the CLI's
   * `--gcp-endpoint`); loopback hosts only. Only for `gcp:` specs.
   */
  gcpEndpoint?: string | undefined;
  /** Options of the file store, for `file:` specs. */
  file?: Omit<FileSecretStoreOptions, 'path'> | undefined;
  /** More options of the Secret Manager store (retries, deadlines), for `gcp:` specs. */
  gcp?: Omit<GcpSecretStoreOptions, 'project' | 'env' | 'endpoint'> | undefined;
  /** Options of the Kubernetes store (kubeconfig, context, server...), for `k8s:` specs. */
  k8s?: Omit<K8sSecretStoreOptions, 'namespace'> | undefined;
}

// `process.env` is not a plain object, so zod's `record` refuses it: any object is an env.
const EnvSchema = z.custom<Readonly<Record<string, string | undefined>>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'must be an object of environment variables',
);

const OptionsSchema = z.strictObject({
  env: EnvSchema.optional(),
  gcpEndpoint: z.string().optional(),
  file: z.object({}).passthrough().optional(),
  // Each store validates its own group, naming the option it refuses.
  gcp: z.object({}).passthrough().optional(),
  k8s: z.object({}).passthrough().optional(),
});

/**
 * Opens the store a spec names: `gcp:<project>`, `k8s:<namespace>`, `file:<absolute path>` or
 * `memory:`. Throws `invalid_store_spec` (with `part`) for a bad spec and
 * `invalid_store_options` for a bad option; nothing is contacted before the first call.
 */
export async function openSecretStore(
  spec: string,
  options: OpenSecretStoreOptions = {},
): Promise<SecretStore> {
  const given = parseStoreOptions(OptionsSchema, options, undefined);
  const parsed = parseStoreSpec(spec, { env: given.env });
  if (given.gcpEndpoint !== undefined && parsed.kind !== 'gcp') {
    throw new SecretStoreError({
      code: 'invalid_store_options',
      part: 'gcpEndpoint',
      store: parsed.kind,
      message: `The option gcpEndpoint applies only to gcp: stores, not to ${parsed.kind}:`,
    });
  }
  switch (parsed.kind) {
    case 'memory':
      return createMemorySecretStore();
    case 'file':
      return createFileSecretStore({ ...(options.file ?? {}), path: parsed.path });
    case 'gcp':
      if (given.gcpEndpoint !== undefined) parseLoopbackEndpoint(given.gcpEndpoint, 'gcpEndpoint');
      return createGcpSecretStore({
        ...(options.gcp ?? {}),
        project: parsed.project,
        env: given.env,
        endpoint: given.gcpEndpoint,
      });
    case 'k8s':
      return createK8sSecretStore({ ...(options.k8s ?? {}), namespace: parsed.namespace });
  }
}
