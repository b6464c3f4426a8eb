/**
 * The one deployment config every object is built from: a strict zod schema (unknown keys are
 * errors, reported with their path), the roadmap's values as defaults (src/defaults.ts), and the
 * invariants that can be checked before any object exists. The sections live beside it.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import * as D from '../defaults.js';
import { PARSE_ONCE } from '../shared/parse-once.js';
import { ingressSchema, networkPolicySchema, rateLimitSchema } from './network.js';
import {
  backupSchema,
  monitoringSchema,
  podDisruptionBudgetSchema,
  RCLONE_ONLY_BACKUP_KEYS,
  rootApiKeySchema,
  secretStoreSchema,
} from './operations.js';
import { dnsLabel, instanceNamespace } from './primitives.js';
import { type ConfigSource, codeFrame, readConfigSource, suggestKey } from './source.js';
import {
  imageSchema,
  probesSchema,
  resourcesSchema,
  securityContextSchema,
  serverSchema,
  storageSchema,
} from './workload.js';

/** The schema of the deployment config. Parse with {@link parseConfig}. */
export const configSchema = z
  .strictObject({
    /** Namespace of every namespaced object. @default 'stemedb' */
    namespace: instanceNamespace.default(D.DEFAULT_NAMESPACE),
    /** Deployment, Service and container name; the selector label's value. @default 'stemedb-api' */
    name: dnsLabel.default(D.DEFAULT_APP_NAME),
    /** Server port, named `http` on the container and the Service. @default 18180 */
    port: z
      .number()
      .int()
      .min(1024, 'must be ≥ 1024: the server runs without capabilities')
      .max(65535)
      .default(D.DEFAULT_PORT),
    /** Server image: registry, repository, and a pinned tag or digest (required). */
    image: imageSchema,
    /** Server switches passed as env vars. */
    server: serverSchema,
    /** Where the root API key comes from and lands. */
    rootApiKey: rootApiKeySchema,
    /** The External Secrets store. */
    secretStore: secretStoreSchema,
    /** StorageClass and volumes. */
    storage: storageSchema,
    /** Server container resources. */
    resources: resourcesSchema,
    /** Health probes. */
    probes: probesSchema,
    /** Time for in-flight WAL writes to finish on shutdown. @default 30 */
    terminationGracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(D.DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS),
    /** Non-root uid, gid and fsGroup of the pods. */
    securityContext: securityContextSchema,
    /** Public Ingress; `ingress.host` is required. */
    ingress: ingressSchema,
    /** Traefik rate limit. */
    rateLimit: rateLimitSchema,
    /** NetworkPolicies. */
    networkPolicy: networkPolicySchema,
    /** PodDisruptionBudget. */
    podDisruptionBudget: podDisruptionBudgetSchema,
    /** Backup: Longhorn RecurringJob (default) or rclone CronJob to GCS. */
    backup: backupSchema,
    /** ServiceMonitor, PrometheusRule and alert thresholds. */
    monitoring: monitoringSchema,
  })
  .superRefine((c, ctx) => {
    // The operators' namespaces the config names (Prometheus, Traefik, Longhorn): restricted
    // Pod Security and default-deny there would break the operator itself.
    const operators: [string | undefined, string][] = [
      [c.monitoring.prometheusNamespace, 'monitoring.prometheusNamespace'],
      [c.networkPolicy.traefikNamespace, 'networkPolicy.traefikNamespace'],
      [
        'longhorn' in c.backup ? c.backup.longhorn.namespace : undefined,
        'backup.longhorn.namespace',
      ],
    ];
    for (const [namespace, field] of operators) {
      // A cluster namespace is refused once already, by the field's own pattern.
      if (namespace !== c.namespace || D.CLUSTER_NAMESPACES.includes(namespace)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['namespace'],
        message: `is ${field}, an operator's namespace: give StemeDB a namespace of its own (the bundle enforces Pod Security "restricted" and default-deny NetworkPolicies there)`,
      });
    }
    // Longhorn attaches its RecurringJob through labels on the PVC, which the bundle cannot set
    // on a claim it does not render: the backup would silently reach no volume.
    const volumes = c.storage.volumes;
    if (volumes.layout === 'single' && volumes.existingClaim && c.backup.enabled) {
      if (c.backup.method === 'longhorn') {
        ctx.addIssue({
          code: 'custom',
          path: ['storage', 'volumes', 'existingClaim'],
          message:
            "with backup.method longhorn: the RecurringJob reaches a volume through labels on its claim, which the bundle does not render for an existing claim; use backup.method rclone (the roadmap's backup), or render the claim (leave existingClaim out)",
        });
      }
    }
    // The backup pods are labelled `app.kubernetes.io/name: stemedb-backup`; a server of that
    // name would put them behind its Service, PDB and NetworkPolicy.
    if (c.name === 'stemedb-backup') {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: "is the backup job's name: choose another",
      });
    }
    // Two ExternalSecrets writing one Secret would overwrite each other on every refresh, and
    // cert-manager would fight ESO over the TLS Secret.
    const secrets: [string, string[]][] = [
      [c.rootApiKey.secretName, ['rootApiKey', 'secretName']],
      [c.ingress.tlsSecretName, ['ingress', 'tlsSecretName']],
    ];
    if (c.backup.enabled && c.backup.method === 'rclone')
      secrets.push([c.backup.secretName, ['backup', 'secretName']]);
    if (c.image.pullSecret)
      secrets.push([c.image.pullSecret.name, ['image', 'pullSecret', 'name']]);
    const seen = new Set<string>();
    for (const [name, path] of secrets) {
      if (seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `Secret "${name}" is already used by another field`,
        });
      }
      seen.add(name);
    }
  });

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A parsed, valid deployment config: every default filled in, read-only. */
export type StemeDeploymentConfig = DeepReadonly<z.output<typeof configSchema>>;

/** The backup section with `method: longhorn`. */
export type LonghornBackupConfig = Extract<StemeDeploymentConfig['backup'], { method: 'longhorn' }>;

/** The backup section with `method: rclone`. */
export type RcloneBackupConfig = Extract<StemeDeploymentConfig['backup'], { method: 'rclone' }>;

/**
 * The config's backup when it is `method`'s; throws otherwise (a builder called for the other
 * method is a bug in the caller).
 */
export function backupOf<M extends StemeDeploymentConfig['backup']['method']>(
  c: StemeDeploymentConfig,
  method: M,
): Extract<StemeDeploymentConfig['backup'], { method: M }> {
  const b = c.backup;
  if (b.method !== method) {
    throw new Error(`backup.method is ${b.method}: the ${method} backup objects do not apply`);
  }
  return b as Extract<StemeDeploymentConfig['backup'], { method: M }>;
}

/** What a config file or caller gives: all optional but `ingress.host` and an image tag or digest. */
export type StemeDeploymentConfigInput = z.input<typeof configSchema>;

/** One problem in a config, at a dotted path such as `storage.volumes.walSize`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  /**
   * Where it is, when the config came from a file ({@link loadConfigFile}): `file:line:column`,
   * or the `--set path=value` it came from.
   */
  readonly at?: string;
  /** The lines around it, numbered, with a caret under the column (file configs only). */
  readonly frame?: string;
}

/**
 * A config that does not parse. `issues` lists every problem; the message has one per line
 * (`file:line:column: path: message`, for a file), each followed by its code frame.
 */
export class ConfigError extends Error {
  readonly code = 'config/invalid';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const lines = issues.map((i) => `  ${issueLine(i)}${i.frame ? `\n${i.frame}` : ''}`);
    super(`invalid StemeDB deployment config${where}:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** `at: path: message`, one line. */
export function issueLine(issue: ConfigIssue): string {
  const at = issue.at ? `${issue.at}: ` : '';
  return `${at}${issue.path || '(root)'}: ${issue.message}`;
}

/** A key of the rclone backup given under a Longhorn one (the default method). */
function rcloneOnly(path: string[], key: string): boolean {
  return path.length === 1 && path[0] === 'backup' && RCLONE_ONLY_BACKUP_KEYS.includes(key);
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({
        path: [...path, k].join('.'),
        message: rcloneOnly(path, k)
          ? 'unknown key with backup.method longhorn (the default): set backup.method: rclone to use it'
          : 'unknown key',
      }));
    }
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return [{ path: path.join('.'), message: missing ? 'required' : issue.message }];
  });
}

/**
 * Validates a config and fills in the defaults. Throws {@link ConfigError} listing every
 * problem; `source` (a file name) is named in its message.
 */
export function parseConfig(input: unknown, source?: string): StemeDeploymentConfig {
  const result = configSchema.safeParse(input, PARSE_ONCE);
  if (!result.success) throw new ConfigError(toIssues(result.error), source);
  return result.data;
}

/** Options of {@link loadConfigFile}. */
export interface LoadConfigOptions {
  /**
   * `path=value` overrides applied over the file before it is validated, in order, as
   * `helm template --set` does: the value is read as a YAML scalar (`port=18181` a number,
   * `image.tag=0.9.1` a string). @default []
   */
  readonly set?: readonly string[];
}

/**
 * Reads and parses a config file: JSON when its name ends in `.json`, YAML otherwise. A
 * ConfigError's issues name the line and column of each problem, with a code frame and, for an
 * unknown key, the known key it is closest to.
 */
export async function loadConfigFile(
  path: string,
  options: LoadConfigOptions = {},
): Promise<StemeDeploymentConfig> {
  const text = await readFile(path, 'utf8');
  const json = extname(path).toLowerCase() === '.json';
  let source: ConfigSource;
  try {
    if (json) JSON.parse(text); // JSON's own errors for a .json file; positions from yaml.
    source = readConfigSource(path, text, options.set);
  } catch (err) {
    if ((err as Error).name === 'UsageError') throw err;
    const first = (err as Error).message.split('\n')[0];
    throw new ConfigError(
      [{ path: '', message: `not valid ${json ? 'JSON' : 'YAML'}: ${first}` }],
      path,
    );
  }
  const result = configSchema.safeParse(source.data, PARSE_ONCE);
  if (result.success) return result.data;
  throw new ConfigError(locateIssues(result.error, source), path);
}

/** The issues of `error`, each placed in the file (or on its `--set`), with suggestions. */
function locateIssues(error: z.ZodError, source: ConfigSource): ConfigIssue[] {
  const unknownKey = new Set(
    error.issues
      .filter((i) => i.code === 'unrecognized_keys')
      .flatMap((i) => i.keys.map((k) => [...i.path.map(String), k].join('.'))),
  );
  return toIssues(error).map((issue) => {
    const path = issue.path === '' ? [] : issue.path.split('.');
    let message = issue.message;
    if (unknownKey.has(issue.path)) {
      const hint = suggestKey(path);
      if (hint) message = `${message}; did you mean ${hint}?`;
    }
    const set = [...source.sets].find(
      ([p]) => issue.path === p || issue.path.startsWith(`${p}.`) || p.startsWith(`${issue.path}.`),
    );
    if (set) return { path: issue.path, message, at: `--set ${set[1]}` };
    const pos = source.locate(path, unknownKey.has(issue.path));
    if (!pos) return { path: issue.path, message };
    return {
      path: issue.path,
      message,
      at: `${source.file}:${pos.line}:${pos.col}`,
      frame: codeFrame(source.text, pos.line, pos.col),
    };
  });
}
