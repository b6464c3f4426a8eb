/**
 * Config sections for the server itself: image, server switches, storage, resources, probes and
 * security context.
 */
import { z } from 'zod';
import * as D from '../defaults.js';
import { DIGEST_PATTERN, imageProblem, PLACEHOLDER_TAG, TAG_PATTERN } from '../shared/image.js';
import { caseInsensitivePattern } from './json-schema-patterns.js';
import { dnsName, nonRootId, positiveInt, probe, quantity, resources } from './primitives.js';

/**
 * `imageProblem`'s checks of a tag, for the JSON Schema (`stemedb-manifests schema`), which
 * cannot run the refine: the tag syntax, not `latest` in any case, not a placeholder.
 */
const TAG_JSON_SCHEMA = {
  pattern: TAG_PATTERN.source,
  not: {
    pattern: `^(?:${caseInsensitivePattern('latest')}|${caseInsensitivePattern(PLACEHOLDER_TAG)})$`,
  },
};

/** Server image; one of `tag` and `digest` is required. */
export const imageSchema = z
  .strictObject({
    /** @default 'us-central1-docker.pkg.dev/orchard9/docker-images' */
    registry: z
      .string()
      .regex(
        /^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/,
        'must be a registry host and path, without a scheme',
      )
      .default(D.DEFAULT_IMAGE_REGISTRY),
    /** @default 'stemedb-api' */
    repository: z.string().min(1).default(D.DEFAULT_IMAGE_REPOSITORY),
    /** Version tag; `latest` is refused. No default: one of `tag` and `digest` is required. */
    tag: z.string().optional().meta(TAG_JSON_SCHEMA),
    /** `sha256:…` digest; when both are given the image is `repo:tag@digest`. */
    digest: z.string().optional().meta({ pattern: DIGEST_PATTERN.source }),
    /** @default 'IfNotPresent' */
    pullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).default(D.DEFAULT_IMAGE_PULL_POLICY),
    /**
     * Pull Secret in the namespace; `null` for a public registry. An ExternalSecret creates it
     * from `remoteKey`, a Secret Manager entry holding the `.dockerconfigjson`; with
     * `remoteKey: null` it must already exist in the namespace.
     * @default { name: 'gcr-secret', remoteKey: 'stemedb-image-pull-secret' }
     */
    pullSecret: z
      .strictObject({
        /** @default 'gcr-secret' */
        name: dnsName.default(D.DEFAULT_PULL_SECRET.name),
        /** @default 'stemedb-image-pull-secret' */
        remoteKey: z.string().min(1).nullable().default(D.DEFAULT_PULL_SECRET.remoteKey),
      })
      .nullable()
      .prefault({}),
  })
  .prefault({})
  .superRefine((img, ctx) => {
    const problem = imageProblem({ ...img, repository: `${img.registry}/${img.repository}` });
    const badDigest = img.digest !== undefined && !DIGEST_PATTERN.test(img.digest);
    if (problem)
      ctx.addIssue({ code: 'custom', path: [badDigest ? 'digest' : 'tag'], message: problem });
  })
  .meta({ anyOf: [{ required: ['tag'] }, { required: ['digest'] }] });

/** Env vars the manifests set from config fields; `extraEnv` may not override them. */
const MANAGED_ENV = [
  'STEMEDB_BIND_ADDR',
  'STEMEDB_WAL_DIR',
  'STEMEDB_DB_DIR',
  'STEMEDB_METER_ENABLED',
  'STEMEDB_AUTH_ENABLED',
  'STEMEDB_ROOT_API_KEY',
  'STEMEDB_ALLOWED_ORIGINS',
];

/** Server switches, passed as env vars. */
export const serverSchema = z
  .strictObject({
    /** `STEMEDB_AUTH_ENABLED` (roadmap ship blocker 1). @default true */
    authEnabled: z.boolean().default(D.DEFAULT_SERVER.authEnabled),
    /** `STEMEDB_METER_ENABLED`. @default true */
    meterEnabled: z.boolean().default(D.DEFAULT_SERVER.meterEnabled),
    /**
     * Seconds the server pod tolerates `node.kubernetes.io/not-ready` and `unreachable` before
     * it is evicted from a failed node (Kubernetes' own default is 300). @default 30
     */
    nodeFailureTolerationSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(D.DEFAULT_SERVER.nodeFailureTolerationSeconds),
    /** `STEMEDB_ALLOWED_ORIGINS` (roadmap open question 5); unset when empty. @default [] */
    allowedOrigins: z
      .array(
        z
          .string()
          .regex(/^https?:\/\/[^/\s]+$/, 'must be an origin such as https://app.example.org'),
      )
      .default([]),
    /** More env vars for the server container. @default {} */
    extraEnv: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an env var name')
          // The names the refine below refuses whatever their value, for the JSON Schema.
          .meta({ not: { enum: [...MANAGED_ENV, 'STEMEDB_TLS_CERT_PATH'] } }),
        z.string(),
      )
      .default({}),
  })
  .prefault({})
  .superRefine((s, ctx) => {
    for (const key of Object.keys(s.extraEnv)) {
      const at = { code: 'custom' as const, path: ['extraEnv', key] };
      if (MANAGED_ENV.includes(key)) {
        ctx.addIssue({ ...at, message: 'is set by the manifests: use the matching config field' });
      }
      if (key === 'STEMEDB_TLS_CERT_PATH') {
        ctx.addIssue({
          ...at,
          message: 'must not be set: TLS ends at Traefik (roadmap ingress.yaml)',
        });
      }
      if (key === 'STEMEDB_UNSAFE_SKIP_SIGNATURES' && s.extraEnv[key] === 'true' && s.authEnabled) {
        ctx.addIssue({
          ...at,
          message: 'the server refuses to start with this and auth together (ship blocker 2)',
        });
      }
    }
  });

const splitVolumes = z.strictObject({
  /**
   * WAL and DB on separate volumes, so WAL fsyncs don't queue behind compaction I/O. The
   * default, so a partial section (`volumes: { dbSize: 100Gi }`) is this layout with the other
   * sizes defaulted rather than an error. @default 'split'
   */
  layout: z.literal('split').default('split'),
  /** @default '20Gi' */
  walSize: quantity.default(D.DEFAULT_WAL_SIZE),
  /** @default '50Gi' */
  dbSize: quantity.default(D.DEFAULT_DB_SIZE),
});

const singleVolume = z.strictObject({
  /** One volume holding `wal/` and `db/`, the layout deployed today (ship blocker 4). */
  layout: z.literal('single'),
  /** @default '50Gi' */
  size: quantity.default(D.DEFAULT_DATA_SIZE),
  /**
   * A claim that exists already and holds the data (the roadmap's deployed single PVC): the
   * server mounts it and no claim is rendered for it, so `size` is not used. Unset: the
   * bundle renders `stemedb-data`.
   */
  existingClaim: dnsName.optional(),
});

/** The Longhorn StorageClass and the volumes. */
export const storageSchema = z
  .strictObject({
    storageClass: z
      .strictObject({
        /**
         * Cluster-scoped, so one per instance: derived from the namespace unless set
         * (`longhorn-<namespace>`; `longhorn-stemedb` for the default namespace). Two instances
         * may share a class only if every parameter below is the same.
         */
        name: dnsName.optional(),
        /** Emit the StorageClass; `false` to use an existing class by `name`. @default true */
        create: z.boolean().default(D.DEFAULT_STORAGE_CLASS.create),
        /** @default 2 */
        numberOfReplicas: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(D.DEFAULT_STORAGE_CLASS.numberOfReplicas),
        /** @default 'best-effort' */
        dataLocality: z
          .enum(['disabled', 'best-effort', 'strict-local'])
          .default(D.DEFAULT_STORAGE_CLASS.dataLocality),
        /** @default 'Retain' */
        reclaimPolicy: z.enum(['Retain', 'Delete']).default(D.DEFAULT_STORAGE_CLASS.reclaimPolicy),
      })
      .prefault({})
      .refine((sc) => sc.dataLocality !== 'strict-local' || sc.numberOfReplicas === 1, {
        path: ['dataLocality'],
        message: 'Longhorn allows strict-local only with numberOfReplicas: 1',
      })
      // The refine for the JSON Schema, as "not strict-local, or one replica given" (replicas
      // default to 2, so the one must be explicit; `anyOf` says if/then without a `then` key).
      .meta({
        anyOf: [
          {
            not: {
              required: ['dataLocality'],
              properties: { dataLocality: { const: 'strict-local' } },
            },
          },
          { required: ['numberOfReplicas'], properties: { numberOfReplicas: { const: 1 } } },
        ],
      }),
    /** @default { layout: 'split', walSize: '20Gi', dbSize: '50Gi' } */
    volumes: z
      .discriminatedUnion('layout', [splitVolumes, singleVolume])
      .prefault({ layout: 'split' }),
  })
  .prefault({});

/** @default { requests: { cpu: '500m', memory: '4Gi' }, limits: { cpu: '2000m', memory: '4Gi' } } */
export const resourcesSchema = resources(D.DEFAULT_RESOURCES);

/** The startup probe's failureThreshold that gives `replaySeconds` its margin at `periodSeconds`. */
export function startupFailureThreshold(replaySeconds: number, periodSeconds: number): number {
  return Math.ceil((D.MIN_STARTUP_MARGIN * replaySeconds) / periodSeconds);
}

/**
 * Startup, liveness and readiness probes, all on the health path, each with its own job (see
 * `DEFAULT_PROBES`). The startup window follows `walReplaySeconds` unless its failureThreshold
 * is given, and a given one must still allow the margin.
 */
export const probesSchema = z
  .strictObject({
    /** @default '/v1/health' */
    path: z
      .string()
      .regex(/^\/\S*$/, 'must be an absolute path')
      .default(D.DEFAULT_PROBES.path),
    /** The expected worst-case WAL replay after a crash, in seconds. @default 60 */
    walReplaySeconds: positiveInt.max(3600).default(D.DEFAULT_PROBES.walReplaySeconds),
    /**
     * failureThreshold: derived, ceil(2 × walReplaySeconds / periodSeconds), when not given.
     * @default { periodSeconds: 5, timeoutSeconds: 2 }
     */
    startup: z
      .strictObject({
        periodSeconds: positiveInt.default(D.DEFAULT_PROBES.startup.periodSeconds),
        failureThreshold: positiveInt.optional(),
        timeoutSeconds: positiveInt.default(D.DEFAULT_PROBES.startup.timeoutSeconds),
      })
      .prefault({}),
    /** @default { periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 10 } */
    liveness: probe(D.DEFAULT_PROBES.liveness),
    /** @default { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 } */
    readiness: probe(D.DEFAULT_PROBES.readiness),
  })
  .prefault({})
  .superRefine((p, ctx) => {
    const { periodSeconds, failureThreshold } = p.startup;
    if (failureThreshold === undefined) return;
    const need = D.MIN_STARTUP_MARGIN * p.walReplaySeconds;
    if (periodSeconds * failureThreshold < need) {
      ctx.addIssue({
        code: 'custom',
        path: ['startup', 'failureThreshold'],
        message: `gives a startup window of ${periodSeconds * failureThreshold} s, less than ${D.MIN_STARTUP_MARGIN} × walReplaySeconds (${need} s): a slow replay would be killed and start again; leave it out to derive ${startupFailureThreshold(p.walReplaySeconds, periodSeconds)}`,
      });
    }
  })
  .transform((p) => ({
    ...p,
    startup: {
      ...p.startup,
      failureThreshold:
        p.startup.failureThreshold ??
        startupFailureThreshold(p.walReplaySeconds, p.startup.periodSeconds),
    },
  }));

/** The non-root identity of every pod we run. */
export const securityContextSchema = z
  .strictObject({
    /** @default 1000 */
    runAsUser: nonRootId.default(D.DEFAULT_SECURITY_CONTEXT.runAsUser),
    /** @default 1000 */
    runAsGroup: nonRootId.default(D.DEFAULT_SECURITY_CONTEXT.runAsGroup),
    /** @default 1000 */
    fsGroup: nonRootId.default(D.DEFAULT_SECURITY_CONTEXT.fsGroup),
  })
  .prefault({});
