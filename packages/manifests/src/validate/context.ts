/**
 * What every rule sees: the objects, the options, and indexes built once per validation.
 */
import { z } from 'zod';
import { DEFAULT_WAL_REPLAY_SECONDS } from '../defaults.js';
import { PARSE_ONCE } from '../shared/parse-once.js';
import type { KubeObject } from '../types.js';
import { arr, isObject, obj, str } from './json.js';
import type { SchemaIssue } from './schema/issues.js';
import { schemaFor } from './schema/registry.js';
import { type Workload, workloadOf } from './workloads.js';

/** The kustomize directory the bundle is written to, so that its file list can be checked. */
export interface KustomizationLayout {
  /** How findings name the kustomization. @default 'kustomization.yaml' */
  path?: string;
  /** The `resources` listed in kustomization.yaml, as written. */
  resources: readonly string[];
  /** Every manifest file written beside kustomization.yaml (not kustomization.yaml itself). */
  files: readonly string[];
}

/** Options of `validate()`. Unknown keys are an error. */
export interface ValidateOptions {
  /** Check that the kustomization lists every file written, and only those. */
  kustomization?: KustomizationLayout;
  /**
   * Secrets that exist in the cluster without being produced by the bundle (e.g. a registry
   * pull secret made when the cluster was set up), as `namespace/name` or `name`.
   * @default []
   */
  existingSecrets?: readonly string[];
  /**
   * PersistentVolumeClaims that exist in the cluster without being produced by the bundle (a
   * claim taken over with `storage.volumes.existingClaim`), as `namespace/name` or `name`: a
   * pod may mount them. Any other claim a pod mounts must be emitted.
   * @default []
   */
  existingClaims?: readonly string[];
  /**
   * The expected worst-case WAL replay after a crash, in seconds (the roadmap's "can take
   * 60s"): the probe that guards startup must allow `MIN_STARTUP_MARGIN` (2) times this.
   * `render` and `validate` pass the config's `probes.walReplaySeconds`.
   * @default 60
   */
  walReplaySeconds?: number;
  /**
   * Namespaces that traffic to the bundle comes from: the ingress controller's (Traefik runs in
   * kube-system on k3s) and Prometheus'. With them, NetworkPolicies are checked to admit that
   * traffic from there; without them, only the ports are checked.
   * @default {}
   */
  trafficSources?: TrafficSources;
}

/** @see ValidateOptions.trafficSources */
export interface TrafficSources {
  /** Namespace of the ingress controller (Traefik). */
  ingress?: string;
  /** Namespace of Prometheus. */
  prometheus?: string;
}

const optionsSchema = z.strictObject({
  kustomization: z
    .strictObject({
      path: z.string().optional(),
      resources: z.array(z.string()),
      files: z.array(z.string()),
    })
    .optional(),
  existingSecrets: z.array(z.string()).optional(),
  existingClaims: z.array(z.string()).optional(),
  walReplaySeconds: z.number().positive().optional(),
  trafficSources: z
    .strictObject({ ingress: z.string().optional(), prometheus: z.string().optional() })
    .optional(),
});

/** Options with defaults filled in. */
export interface ResolvedOptions {
  kustomization: KustomizationLayout | undefined;
  existingSecrets: readonly string[];
  existingClaims: readonly string[];
  walReplaySeconds: number;
  trafficSources: TrafficSources;
}

/** Checks options once; throws a TypeError naming the bad key. */
export function resolveOptions(options: ValidateOptions | undefined): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options ?? {}, PARSE_ONCE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(
      `validate(): invalid option ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return {
    kustomization: parsed.data.kustomization,
    existingSecrets: parsed.data.existingSecrets ?? [],
    existingClaims: parsed.data.existingClaims ?? [],
    walReplaySeconds: parsed.data.walReplaySeconds ?? DEFAULT_WAL_REPLAY_SECONDS,
    trafficSources: parsed.data.trafficSources ?? {},
  };
}

/** The API group of an apiVersion: `apps` for `apps/v1`, `` for `v1`. */
export function apiGroup(apiVersion: string): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** The namespace an object lands in (`default` when unset). */
export function namespaceOf(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

/** Everything a rule sees. */
export class RuleContext {
  readonly objects: readonly KubeObject[];
  readonly options: ResolvedOptions;
  /** Every pod template in the bundle. */
  readonly workloads: readonly Workload[];
  readonly #schema = new Map<KubeObject, SchemaIssue[] | undefined>();

  constructor(objects: readonly KubeObject[], options: ResolvedOptions) {
    // Rules may rely on an object with a metadata object; anything else is reported by the
    // schema rules (missing apiVersion/kind), not crashed on.
    this.objects = objects.map((o) =>
      isObject(o) && isObject(o.metadata)
        ? o
        : ({ ...(isObject(o) ? o : {}), metadata: {} } as KubeObject),
    );
    this.options = options;
    this.workloads = objects.map(workloadOf).filter((w): w is Workload => w !== undefined);
  }

  /** Objects of `kind`, optionally only in API `group` (`''` for core). */
  ofKind(kind: string, group?: string): KubeObject[] {
    return this.objects.filter(
      (o) => o.kind === kind && (group === undefined || apiGroup(o.apiVersion) === group),
    );
  }

  /** The object of `kind` named `name` in `namespace`. */
  find(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.find(
      (o) => o.kind === kind && o.metadata?.name === name && namespaceOf(o) === namespace,
    );
  }

  /** The schema issues of one object; undefined when there is no schema for its kind. */
  schemaIssues(object: KubeObject): SchemaIssue[] | undefined {
    if (!this.#schema.has(object)) {
      const schema = schemaFor(String(object.apiVersion), String(object.kind));
      this.#schema.set(object, schema?.check(object));
    }
    return this.#schema.get(object);
  }

  /** The access modes of a PVC this bundle emits, or undefined when it emits no such PVC. */
  claimAccessModes(namespace: string, claimName: string): string[] | undefined {
    const pvc = this.find('PersistentVolumeClaim', namespace, claimName);
    if (!pvc) return undefined;
    return arr(obj(pvc.spec).accessModes).flatMap((m) => (str(m) ? [m as string] : []));
  }
}
