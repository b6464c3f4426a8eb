/**
 * `k8s:<namespace>`: Kubernetes Secrets through `@kubernetes/client-node`'s CoreV1Api (what
 * External Secrets Operator would otherwise sync from Secret Manager).
 *
 * - A store secret `name` is the Secret `<namespace>/<name>`; its versions live inside it (see
 *   k8s-format.ts for the layout and why); `data.value` is always the latest.
 * - Every write is read-modify-write with the Secret's `resourceVersion` as precondition: a 409
 *   from a concurrent writer means read again and redo, so no version is lost.
 * - `writeIfAbsent` claims with a create (POST): the API server lets exactly one create of a
 *   name succeed, so exactly one writer sees `written: true`.
 * - Transient failures (429, 5xx, network errors, a per-attempt timeout) are retried in the
 *   shared loop (retry.ts); 401, 403 and a missing namespace fail at once with a clear message.
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { z } from 'zod';
import { SecretStoreError } from './errors.js';
import { abortedError, assertNotAborted, assertOpen } from './guard.js';
import { applyConfiguration, isManagedSecret, K8S_FIELD_MANAGER } from './k8s-apply.js';
import {
  checkServerUrl,
  connectCoreV1,
  type K8sClient,
  type K8sConnectionOptions,
  type K8sRequestOptions,
} from './k8s-connection.js';
import { httpStatusOf, isTransientK8sError, k8sError } from './k8s-errors.js';
import {
  DEFAULT_MAX_VERSIONS,
  decodeSecret,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  secretWithNewVersion,
} from './k8s-format.js';
import { k8sPreflight, secretsAccessReview } from './k8s-preflight.js';
import { acquireLeaseIn } from './lease.js';
import { K8S_LEASE_NAME, k8sLeaseCell } from './lease-k8s.js';
import type { LeaseAttempt, LeaseOptions } from './lease-types.js';
import { parseStoreOptions } from './options.js';
import { preflightOperations } from './preflight.js';
import { resolveRetry, type StoreRetryOptions, StoreRetrySchema, withRetry } from './retry.js';
import {
  assertSecretName,
  assertSecretPrefix,
  assertSecretValue,
  isSecretName,
} from './secret-name.js';
import { parseStoreSpec } from './spec.js';
import type {
  PreflightOptions,
  SecretStore,
  SecretVersionInfo,
  StoreCallOptions,
  WriteIfAbsentResult,
  WrittenVersion,
} from './types.js';
import { createWriteLimiter, type StoreWriteLimit, StoreWriteLimitSchema } from './write-limit.js';

/** Options of {@link createK8sSecretStore}. */
export interface K8sSecretStoreOptions extends K8sConnectionOptions {
  /** The namespace holding the Secrets. */
  namespace: string;
  /** How transient failures are retried. @default DEFAULT_STORE_RETRY */
  retry?: StoreRetryOptions | undefined;
  /** The deadline of each request, in milliseconds. @default 30_000 */
  timeoutMs?: number | undefined;
  /** Versions kept in each Secret (older ones are dropped). @default 10 */
  maxVersions?: number | undefined;
  /** The clock that stamps versions. @default () => new Date() */
  now?: (() => Date) | undefined;
  /**
   * The most write requests (create, replace, delete; every retry counts) in any window; the
   * CLI's `--store-writes-per-minute`.
   * @default { writes: DEFAULT_STORE_WRITES_PER_MINUTE (540), intervalMs: 60_000 }
   */
  writeLimit?: StoreWriteLimit | undefined;
  /**
   * Write into a Secret of the same name that lacks the label
   * `app.kubernetes.io/managed-by: stemedb-admin` (made by kubectl, Helm, another tool),
   * taking over `value` and adding the label; otherwise such a write fails `unmanaged_secret`
   * and the Secret is left as it is. The CLI's `--adopt`.
   * @default false
   */
  adopt?: boolean | undefined;
}

/** The default deadline of one Kubernetes API request. */
export const DEFAULT_K8S_TIMEOUT_MS = 30_000;
// How often a write redoes its read-modify-write after losing to a concurrent writer.
const MAX_CONFLICT_ROUNDS = 20;
const PAGE_LIMIT = 500;
const KIND = 'k8s';
// call()'s last argument for requests that write.
const WRITE = true;

const OptionsSchema = z.strictObject({
  namespace: z.string(),
  kubeConfig: z.custom((v) => typeof v === 'object' && v !== null).optional(),
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  server: z.string().optional(),
  token: z.string().min(1).optional(),
  retry: StoreRetrySchema.optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  maxVersions: z.number().int().min(1).max(100).optional(),
  now: z.custom<() => Date>((v) => typeof v === 'function').optional(),
  writeLimit: StoreWriteLimitSchema.optional(),
  adopt: z.boolean().optional(),
});

/** A Kubernetes Secrets store (spec `k8s:<namespace>`). Nothing is contacted before the first call. */
export function createK8sSecretStore(options: K8sSecretStoreOptions): SecretStore {
  const given = parseStoreOptions(OptionsSchema, options, KIND);
  const spec = parseStoreSpec(`k8s:${given.namespace}`);
  if (spec.kind !== 'k8s') throw new Error('unreachable');
  const namespace = spec.namespace;
  if (given.server !== undefined) checkServerUrl(given.server);
  const connection: K8sConnectionOptions = {
    kubeConfig: options.kubeConfig,
    kubeconfig: given.kubeconfig,
    context: given.context,
    server: given.server,
    token: given.token,
  };
  const retry = resolveRetry(given.retry);
  const timeoutMs = given.timeoutMs ?? DEFAULT_K8S_TIMEOUT_MS;
  const maxVersions = given.maxVersions ?? DEFAULT_MAX_VERSIONS;
  const now = given.now ?? (() => new Date());
  const writeSlot = createWriteLimiter(given.writeLimit, KIND);
  const adopt = given.adopt === true;
  let api: Promise<K8sClient> | undefined;
  let closed = false;

  const getApi = () => {
    api ??= connectCoreV1(connection);
    // A configuration error is not worth caching: the next call tries again.
    api.catch(() => {
      api = undefined;
    });
    return api;
  };

  /** One API request, retried when transient; `attempt` gets a per-attempt deadline. */
  function call<T>(
    operation: string,
    name: string | undefined,
    signal: AbortSignal | undefined,
    attempt: (api: CoreV1Api, options: K8sRequestOptions, client: K8sClient) => Promise<T>,
    secrets?: readonly string[],
    write = false,
  ): Promise<T> {
    return callClient(
      operation,
      name,
      signal,
      (client, o) => attempt(client.api, o, client),
      secrets,
      write,
    );
  }

  /** {@link call} with the whole client (the Lease calls use its coordination API). */
  async function callClient<T>(
    operation: string,
    name: string | undefined,
    signal: AbortSignal | undefined,
    attempt: (client: K8sClient, options: K8sRequestOptions) => Promise<T>,
    secrets?: readonly string[],
    write = false,
  ): Promise<T> {
    let client: K8sClient;
    try {
      client = await getApi();
    } catch (error) {
      if (error instanceof SecretStoreError) throw error;
      throw k8sError(error, { namespace, operation, secret: name }, 0);
    }
    return withRetry(
      async (outer) => {
        // Each attempt of a write takes a slot first (every attempt counts against a quota),
        // and only then starts its deadline, which the wait must not use up.
        if (write) await writeSlot(operation, name, outer ?? signal);
        const deadline = AbortSignal.timeout(timeoutMs);
        return attempt(
          client,
          client.withSignal(outer === undefined ? deadline : AbortSignal.any([outer, deadline])),
        );
      },
      {
        retry,
        signal,
        shouldRetry: isTransientK8sError,
        fail: (error, attempts) =>
          k8sError(error, { namespace, operation, secret: name, secrets }, attempts),
        aborted: (reason) => abortedError(KIND, operation, name, reason),
      },
    );
  }

  const leaseCell = k8sLeaseCell(
    namespace,
    (operation, signal, attempt) => callClient(operation, K8S_LEASE_NAME, signal, attempt),
    isHttpStatus,
  );

  function enter(operation: string, options: StoreCallOptions | undefined, name?: string): void {
    assertOpen(closed, KIND, operation);
    assertNotAborted(options?.signal, KIND, operation, name);
    if (name !== undefined) assertSecretName(name, KIND, operation);
  }

  async function read(
    name: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<V1Secret | undefined> {
    try {
      return await call(operation, name, signal, (c, o) =>
        c.readNamespacedSecret({ name, namespace }, o),
      );
    } catch (error) {
      if (isHttpStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Creates the Secret holding `value` as version 1; false when the name is taken. */
  async function create(
    name: string,
    value: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const { body } = secretWithNewVersion(name, undefined, value, now(), maxVersions);
    try {
      await call(
        operation,
        name,
        signal,
        (c, o) => c.createNamespacedSecret({ namespace, body, fieldManager: K8S_FIELD_MANAGER }, o),
        [value],
        WRITE,
      );
      return true;
    } catch (error) {
      if (isHttpStatus(error, 409)) return false;
      throw error;
    }
  }

  /** Adds `value` as a version of `current`; undefined when a concurrent writer changed it. */
  async function addTo(
    name: string,
    current: V1Secret,
    value: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    if (!adopt && !isManagedSecret(current)) {
      throw new SecretStoreError({
        code: 'unmanaged_secret',
        store: KIND,
        operation,
        secret: name,
        message: `The Secret ${namespace}/${name} exists but stemedb-admin does not manage it (no label ${MANAGED_BY_LABEL}: ${MANAGED_BY}); it was left unchanged. Take it over with --adopt (library: adopt: true), or delete it`,
      });
    }
    const { body, version } = applyConfiguration(name, current, value, now(), maxVersions);
    const k8s = await import('@kubernetes/client-node');
    try {
      await call(
        operation,
        name,
        signal,
        // Server-side apply of only the fields this store owns (k8s-apply.ts): a PUT of the
        // whole object dropped ownerReferences, finalizers and other managers' labels.
        (c, o) =>
          c.patchNamespacedSecret(
            { name, namespace, body, fieldManager: K8S_FIELD_MANAGER, force: true },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply, o),
          ),
        [value],
        WRITE,
      );
      return version;
    } catch (error) {
      // 409: the resourceVersion moved on; 404: deleted meanwhile. Either way: read again.
      if (isHttpStatus(error, 409) || isHttpStatus(error, 404)) return undefined;
      throw error;
    }
  }

  function lostTooOften(operation: string, name: string): SecretStoreError {
    return new SecretStoreError({
      code: 'conflict',
      store: KIND,
      operation,
      secret: name,
      message: `${operation} of ${name} on Kubernetes (namespace ${namespace}) lost to concurrent writers ${MAX_CONFLICT_ROUNDS} times in a row`,
    });
  }

  return {
    spec: `k8s:${namespace}`,
    async readLatest(name: string, options?: StoreCallOptions): Promise<string | undefined> {
      enter('readLatest', options, name);
      const secret = await read(name, 'readLatest', options?.signal);
      return secret === undefined ? undefined : decodeSecret(secret).latest?.value;
    },
    async writeVersion(
      name: string,
      value: string,
      options?: StoreCallOptions,
    ): Promise<WrittenVersion> {
      enter('writeVersion', options, name);
      assertSecretValue(value, KIND, 'writeVersion', name);
      const signal = options?.signal;
      for (let round = 0; round < MAX_CONFLICT_ROUNDS; round++) {
        const current = await read(name, 'writeVersion', signal);
        if (current === undefined) {
          if (await create(name, value, 'writeVersion', signal)) return { version: '1' };
          continue;
        }
        const version = await addTo(name, current, value, 'writeVersion', signal);
        if (version !== undefined) return { version };
      }
      throw lostTooOften('writeVersion', name);
    },
    async writeIfAbsent(
      name: string,
      value: string,
      options?: StoreCallOptions,
    ): Promise<WriteIfAbsentResult> {
      enter('writeIfAbsent', options, name);
      assertSecretValue(value, KIND, 'writeIfAbsent', name);
      const signal = options?.signal;
      for (let round = 0; round < MAX_CONFLICT_ROUNDS; round++) {
        const current = await read(name, 'writeIfAbsent', signal);
        if (current === undefined) {
          if (await create(name, value, 'writeIfAbsent', signal))
            return { written: true, value, version: '1' };
          continue;
        }
        const latest = decodeSecret(current).latest;
        if (latest !== undefined) return { written: false, ...latest };
        // A Secret with that name but no value (made by something else): the PUT's
        // resourceVersion precondition lets one writer add the first value.
        const version = await addTo(name, current, value, 'writeIfAbsent', signal);
        if (version !== undefined) return { written: true, value, version };
      }
      throw lostTooOften('writeIfAbsent', name);
    },
    async list(prefix: string, options?: StoreCallOptions): Promise<string[]> {
      enter('list', options);
      assertSecretPrefix(prefix, KIND);
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await call('list', undefined, options?.signal, (c, o) =>
          c.listNamespacedSecret(
            {
              namespace,
              labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
              limit: PAGE_LIMIT,
              ...(token === undefined ? {} : { _continue: token }),
            },
            o,
          ),
        );
        for (const secret of page.items) {
          const name = secret.metadata?.name ?? '';
          if (name.startsWith(prefix) && isSecretName(name)) names.push(name);
        }
        token = page.metadata?._continue || undefined;
      } while (token !== undefined);
      return names.sort();
    },
    async listVersions(name: string, options?: StoreCallOptions): Promise<SecretVersionInfo[]> {
      enter('listVersions', options, name);
      const secret = await read(name, 'listVersions', options?.signal);
      return secret === undefined ? [] : decodeSecret(secret).versions.map((v) => ({ ...v }));
    },
    async delete(name: string, options?: StoreCallOptions): Promise<void> {
      enter('delete', options, name);
      try {
        await call(
          'delete',
          name,
          options?.signal,
          (c, o) => c.deleteNamespacedSecret({ name, namespace }, o),
          undefined,
          WRITE,
        );
      } catch (error) {
        if (!isHttpStatus(error, 404)) throw error;
      }
    },
    async acquireLease(lease: LeaseOptions): Promise<LeaseAttempt> {
      enter('acquireLease', lease);
      return acquireLeaseIn(leaseCell, lease, KIND);
    },
    async preflight(options?: PreflightOptions): Promise<void> {
      enter('preflight', options);
      const k8s = await import('@kubernetes/client-node');
      await k8sPreflight(namespace, preflightOperations(options), async (verb) => {
        const review = await call('preflight', undefined, options?.signal, (_, o, client) =>
          client.kubeConfig
            .makeApiClient(k8s.AuthorizationV1Api)
            .createSelfSubjectAccessReview({ body: secretsAccessReview(namespace, verb) }, o),
        );
        return review.status?.allowed === true;
      });
    },
    async close(): Promise<void> {
      closed = true;
      api = undefined;
    },
  };
}

function isHttpStatus(error: unknown, status: number): boolean {
  return (
    (error as { httpStatus?: unknown } | null)?.httpStatus === status ||
    httpStatusOf(error) === status
  );
}
