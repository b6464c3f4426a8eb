/**
 * ExternalSecrets: every Secret the pods use comes from the secret store (GCP Secret Manager in
 * the roadmap) through External Secrets Operator.
 */
import { backupOf, type StemeDeploymentConfig } from '../config/index.js';
import type { ExternalSecret } from './crds.js';
import { backupMethod, type ObjectDescriptor } from './descriptor.js';
import { namespacedMeta } from './meta.js';

/** Where the backup job mounts the rclone Secret, and the files in it. */
export const RCLONE_CONFIG_DIR = '/config/rclone';
export const RCLONE_CONFIG_FILE = `${RCLONE_CONFIG_DIR}/rclone.conf`;
export const RCLONE_CREDENTIALS_FILE = `${RCLONE_CONFIG_DIR}/service-account.json`;

/** The rclone remote the backup script copies to. */
export const RCLONE_REMOTE = 'gcs';

function externalSecret(
  c: StemeDeploymentConfig,
  name: string,
  component: string,
  data: ExternalSecret['spec']['data'],
  template?: NonNullable<ExternalSecret['spec']['target']['template']>,
): ExternalSecret {
  return {
    // `external-secrets.io/v1`: the roadmap's v1beta1 is deprecated and no longer served by
    // current External Secrets Operator releases.
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: namespacedMeta(c, name, component),
    spec: {
      refreshInterval: c.secretStore.refreshInterval,
      secretStoreRef: { name: c.secretStore.name, kind: c.secretStore.kind },
      target: { name, creationPolicy: 'Owner', ...(template ? { template } : {}) },
      data,
    },
  };
}

/** The root API key, seeded into the server at boot (roadmap external-secret.yaml). */
export function buildRootKeyExternalSecret(c: StemeDeploymentConfig): ExternalSecret {
  const k = c.rootApiKey;
  return externalSecret(c, k.secretName, 'server', [
    { secretKey: k.secretKey, remoteRef: { key: k.remoteKey } },
  ]);
}

/**
 * The rclone config of the backup job. The roadmap mounts a Secret `rclone-gcs-config` that
 * nothing creates (Phase 2 item 2 leaves it to the console). Here it is rendered from one
 * Secret Manager entry, a GCS service-account key: `rclone.conf` defines the `gcs` remote and
 * points at the key file beside it.
 */
export function buildRcloneExternalSecret(c: StemeDeploymentConfig): ExternalSecret {
  const conf = [
    `[${RCLONE_REMOTE}]`,
    'type = google cloud storage',
    `service_account_file = ${RCLONE_CREDENTIALS_FILE}`,
    'bucket_policy_only = true',
    '',
  ].join('\n');
  const b = backupOf(c, 'rclone');
  return externalSecret(
    c,
    b.secretName,
    'backup',
    [{ secretKey: 'credentials', remoteRef: { key: b.credentialsRemoteKey } }],
    {
      engineVersion: 'v2',
      data: { 'rclone.conf': conf, 'service-account.json': '{{ .credentials }}' },
    },
  );
}

/**
 * The image pull Secret, from the Secret Manager entry `image.pullSecret.remoteKey` holding a
 * `.dockerconfigjson`. Pull Secrets are per namespace: the roadmap wires `gcr-secret` into the
 * Deployment but creates it nowhere in `stemedb`, so the first pull would fail. Undefined when
 * there is no pull Secret or it is managed elsewhere (`remoteKey: null`).
 */
export function buildPullSecretExternalSecret(
  c: StemeDeploymentConfig,
): ExternalSecret | undefined {
  const ps = c.image.pullSecret;
  if (!ps?.remoteKey) return undefined;
  return externalSecret(
    c,
    ps.name,
    'server',
    [{ secretKey: 'dockerconfigjson', remoteRef: { key: ps.remoteKey } }],
    {
      engineVersion: 'v2',
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': '{{ .dockerconfigjson }}' },
    },
  );
}

/** The root key's ExternalSecret, before the Deployment that reads its Secret. */
export const rootKeyExternalSecretObject: ObjectDescriptor = {
  id: 'external-secret/root-key',
  kind: 'ExternalSecret',
  when: () => true,
  build: buildRootKeyExternalSecret,
  invariants: [],
  docs: {
    object: 'ExternalSecret → Secret with the root API key',
    name: '`stemedb-secrets`',
    when: 'always',
  },
};

/** The image pull Secret's ExternalSecret, unless the pull Secret is managed elsewhere. */
export const pullSecretExternalSecretObject: ObjectDescriptor = {
  id: 'external-secret/pull-secret',
  kind: 'ExternalSecret',
  when: (c) => Boolean(c.image.pullSecret?.remoteKey),
  build: buildPullSecretExternalSecret,
  invariants: [],
  docs: {
    object: 'ExternalSecret → image pull Secret (`.dockerconfigjson`)',
    name: '`gcr-secret`',
    when: '`image.pullSecret.remoteKey` set (default)',
  },
};

/** The rclone config's ExternalSecret, with the rclone backup. */
export const rcloneExternalSecretObject: ObjectDescriptor = {
  id: 'external-secret/rclone',
  kind: 'ExternalSecret',
  when: (c) => backupMethod(c) === 'rclone',
  build: buildRcloneExternalSecret,
  invariants: [],
  docs: {
    object: 'ExternalSecret → rclone config for the backup',
    name: '`rclone-gcs-config`',
    when: '`backup.enabled`, `backup.method: rclone`',
  },
};
