/**
 * The starter `stemedb.yaml` that `stemedb-manifests init` writes: the two values with no
 * default as placeholders that validation refuses until they are filled in, and the settings an
 * operator changes first, commented out at their defaults (taken from defaults.ts, so the
 * comments cannot drift from what is rendered).
 */
import * as D from '../defaults.js';

/** The file name `init` writes by default, and the schema file beside it. */
export const STARTER_CONFIG_FILE = 'stemedb.yaml';
export const STARTER_SCHEMA_FILE = 'stemedb.schema.json';

/** The placeholders the starter carries; both are refused by `parseConfig` and the schema. */
export const STARTER_PLACEHOLDERS = {
  host: 'stemedb.replace-me.invalid',
  tag: 'REPLACE-ME',
} as const;

/** Options of {@link starterConfig}. */
export interface StarterConfigOptions {
  /**
   * What the `# yaml-language-server: $schema=` line points at (a path relative to the config,
   * or a URL); `null` leaves the line out.
   * @default './stemedb.schema.json'
   */
  readonly schema?: string | null;
}

/** The text of a commented starter config. */
export function starterConfig(options: StarterConfigOptions = {}): string {
  const schema = options.schema === undefined ? `./${STARTER_SCHEMA_FILE}` : options.schema;
  const modeline =
    schema === null
      ? ''
      : `# yaml-language-server: $schema=${schema}
# (editors with the YAML language server complete and check this file from that schema;
# regenerate it with: stemedb-manifests schema --out ${STARTER_SCHEMA_FILE})
`;
  const v = D.DEFAULT_STORAGE_CLASS;
  return `${modeline}#
# StemeDB's Kubernetes deployment. Every key has a default except the two below marked
# REQUIRED; they hold placeholders that validation refuses until you fill them in.
#   stemedb-manifests validate --config stemedb.yaml
#   stemedb-manifests render --config stemedb.yaml > stemedb.k8s.yaml

image:
  # REQUIRED: the stemedb-api version to deploy (a tag other than "latest"), or set
  # digest: sha256:<64 hex> instead.
  tag: ${STARTER_PLACEHOLDERS.tag}
  # registry: ${D.DEFAULT_IMAGE_REGISTRY}
  # repository: ${D.DEFAULT_IMAGE_REPOSITORY}

ingress:
  # REQUIRED: the public host name clients (and Aphoria) reach StemeDB at.
  host: ${STARTER_PLACEHOLDERS.host}
  # clusterIssuer: ${D.DEFAULT_INGRESS.clusterIssuer}   # cert-manager ClusterIssuer; null to bring your own TLS Secret

# namespace: ${D.DEFAULT_NAMESPACE}

# storage:
#   storageClass:
#     name: ${D.defaultStorageClassName(D.DEFAULT_NAMESPACE)}   # default: longhorn-<namespace>, one per instance
#     numberOfReplicas: ${v.numberOfReplicas}
#     dataLocality: ${v.dataLocality}
#   volumes:
#     layout: split        # WAL and DB on separate volumes; "single" keeps one
#     walSize: ${D.DEFAULT_WAL_SIZE}
#     dbSize: ${D.DEFAULT_DB_SIZE}

# resources:
#   requests: { cpu: ${D.DEFAULT_RESOURCES.requests.cpu}, memory: ${D.DEFAULT_RESOURCES.requests.memory} }
#   limits: { cpu: ${D.DEFAULT_RESOURCES.limits.cpu}, memory: ${D.DEFAULT_RESOURCES.limits.memory} }

# backup:                # Longhorn backups to the cluster's backup target (docs/restore.md)
#   enabled: ${D.DEFAULT_BACKUP.enabled}
#   method: ${D.DEFAULT_BACKUP.method}      # "rclone": a file copy of live files, not crash-consistent
#   schedule: "${D.DEFAULT_BACKUP.schedule}"
#   longhorn:
#     retain: ${D.DEFAULT_LONGHORN_BACKUP.retain}
`;
}
