/**
 * `gcp:<project>`: Google Secret Manager through the real `@google-cloud/secret-manager` client.
 *
 * - A store secret `name` is the Secret Manager secret `projects/<project>/secrets/<name>`
 *   (`stemedb-root-api-key`, `stemedb-key-<project>`), created with automatic replication.
 * - `writeVersion` is create-or-add-version: CreateSecret, and ALREADY_EXISTS means AddSecretVersion.
 * - `writeIfAbsent` claims the secret with CreateSecret (see gcp-claim.ts for the race).
 * - `readLatest` is the `latest` alias: a disabled or destroyed latest version is no stored key.
 * - `list` selects the secrets labelled `managed-by=stemedb-admin`, which every create sets.
 * - Transient codes are retried in one loop (gcp-retry.ts); gax's own retries are off.
 * - `endpoint` (`--gcp-endpoint`) points the client at a loopback server over plaintext, with no
 *   credentials (gcp-client.ts); without it the client uses Application Default Credentials.
 */
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { z } from 'zod';
import { SecretStoreError } from './errors.js';
import { claimFirstVersion, DEFAULT_CLAIM_TIMEOUT_MS } from './gcp-claim.js';
import { createSecretManagerClient } from './gcp-client.js';
import { parseLoopbackEndpoint } from './gcp-endpoint.js';
import { gcpPreflight } from './gcp-preflight.js';
import { isGrpcStatus, withGcpRetry } from './gcp-retry.js';
import type { GcpOps, Latest, Listed } from './gcp-types.js';
import { assertNotAborted, assertOpen } from './guard.js';
import { acquireLeaseIn } from './lease.js';
import { GCP_LEASE_SECRET, gcpLeaseCell } from './lease-gcp.js';
import type { LeaseAttempt, LeaseOptions } from './lease-types.js';
import { parseStoreOptions } from './options.js';
import { preflightOperations } from './preflight.js';
import { resolveRetry, type StoreRetryOptions, StoreRetrySchema } from './retry.js';
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

/** Options of {@link createGcpSecretStore}. */
export interface GcpSecretStoreOptions {
  /** The GCP project ID or number. @default env.GOOGLE_CLOUD_PROJECT */
  project?: string | undefined;
  /** Where a missing `project` is looked up. @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * `host:port` of a local Secret Manager, spoken to over plaintext with no credentials;
   * loopback addresses only (127.0.0.0/8, `[::1]`, `localhost`). The CLI's `--gcp-endpoint`.
   */
  endpoint?: string | undefined;
  /** How transient failures are retried. @default DEFAULT_STORE_RETRY */
  retry?: StoreRetryOptions | undefined;
  /**
   * The deadline of each attempt, in milliseconds (a missed one is DEADLINE_EXCEEDED, retried).
   * @default 30_000
   */
  timeoutMs?: number | undefined;
  /**
   * How long `writeIfAbsent` waits for the writer that created a secret to add its first
   * version before it treats the claim as abandoned (that writer crashed) and writes itself.
   * @default 10_000
   */
  claimTimeoutMs?: number | undefined;
  /**
   * The most write requests (CreateSecret, AddSecretVersion, DeleteSecret,
   * DestroySecretVersion; every retry counts) in any window; the CLI's
   * `--store-writes-per-minute`.
   * @default { writes: DEFAULT_STORE_WRITES_PER_MINUTE (540), intervalMs: 60_000 }
   */
  writeLimit?: StoreWriteLimit | undefined;
}

/** The default deadline of one Secret Manager call. */
export const DEFAULT_GCP_TIMEOUT_MS = 30_000;
// A page as large as the API allows, so that listing a thousand projects is one call.
const PAGE_SIZE = 25_000;
const KIND = 'gcp';
/** The label every secret this store creates carries, and `list` selects on. */
export const GCP_MANAGED_LABEL = Object.freeze({ key: 'managed-by', value: 'stemedb-admin' });
const MANAGED_LABELS = { [GCP_MANAGED_LABEL.key]: GCP_MANAGED_LABEL.value };
// https://cloud.google.com/secret-manager/docs/filtering: "labels.environment=production".
const MANAGED_FILTER = `labels.${GCP_MANAGED_LABEL.key}=${GCP_MANAGED_LABEL.value}`;

const EnvSchema = z.custom<Readonly<Record<string, string | undefined>>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'must be an object of environment variables',
);
const OptionsSchema = z.strictObject({
  project: z.string().optional(),
  env: EnvSchema.optional(),
  endpoint: z.string().optional(),
  retry: StoreRetrySchema.optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  claimTimeoutMs: z.number().int().min(0).max(600_000).optional(),
  writeLimit: StoreWriteLimitSchema.optional(),
});

/** A Secret Manager store (spec `gcp:<project>`). Nothing is contacted before the first call. */
export function createGcpSecretStore(options: GcpSecretStoreOptions = {}): SecretStore {
  const given = parseStoreOptions(OptionsSchema, options, KIND);
  const spec = parseStoreSpec(`gcp:${given.project?.trim() ?? ''}`, { env: given.env });
  if (spec.kind !== 'gcp') throw new Error('unreachable');
  const project = spec.project;
  const endpoint =
    given.endpoint === undefined ? undefined : parseLoopbackEndpoint(given.endpoint, 'endpoint');
  const retry = resolveRetry(given.retry);
  const timeout = given.timeoutMs ?? DEFAULT_GCP_TIMEOUT_MS;
  // A new object for every call: gax writes the call's routing header (`x-goog-request-params`,
  // made from the request's name) into the options object it is given and reads it back after
  // an await, so calls in flight together that share one object send each other's headers.
  const callOptions = () => ({ retry: null, timeout });
  const claimTimeoutMs = given.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
  const parent = `projects/${project}`;
  const writeSlot = createWriteLimiter(given.writeLimit, KIND);
  let client: Promise<SecretManagerServiceClient> | undefined;
  let closed = false;

  const secretPath = (name: string) => `${parent}/secrets/${name}`;
  const getClient = () => {
    client ??= createSecretManagerClient(endpoint);
    return client;
  };

  /** One Secret Manager call, retried when transient. */
  function call<T>(
    operation: string,
    name: string | undefined,
    signal: AbortSignal | undefined,
    attempt: (client: SecretManagerServiceClient) => Promise<T>,
    secrets?: readonly string[],
  ): Promise<T> {
    return withGcpRetry(
      async () => attempt(await getClient()),
      retry,
      { project, operation, secret: name, secrets },
      signal,
    );
  }

  const leaseCell = gcpLeaseCell(
    parent,
    (operation, signal, attempt) => call(operation, GCP_LEASE_SECRET, signal, attempt),
    timeout,
  );

  function enter(operation: string, call: StoreCallOptions | undefined, name?: string): void {
    assertOpen(closed, KIND, operation);
    assertNotAborted(call?.signal, KIND, operation, name);
    if (name !== undefined) assertSecretName(name, KIND, operation);
  }

  // The secrets known to exist: filled by the first write's listing, then kept up to date by
  // this store's own reads, writes and deletes. Only ever a hint (see writeVersion).
  let known: Set<string> | undefined;

  /** The ids of every secret with the store's label, across pages. */
  async function listManaged(signal: AbortSignal | undefined): Promise<string[]> {
    const names: string[] = [];
    let pageToken = '';
    do {
      const [secrets, , response] = await call('list', undefined, signal, (c) =>
        c.listSecrets(
          // By the label every secret this store creates carries: `name:` is a "contains"
          // match, so it cannot select a prefix, and would list secrets made by others.
          { parent, pageSize: PAGE_SIZE, pageToken, filter: MANAGED_FILTER },
          { ...callOptions(), autoPaginate: false },
        ),
      );
      for (const secret of secrets) {
        const id = secret.name?.split('/').at(-1) ?? '';
        // Secrets this package could not have written (names outside the shared rule) are
        // not listed: no other method would accept their names.
        if (isSecretName(id)) names.push(id);
      }
      pageToken = response?.nextPageToken ?? '';
    } while (pageToken !== '');
    known = new Set(names);
    return names;
  }

  async function knownSecrets(signal: AbortSignal | undefined): Promise<Set<string> | undefined> {
    if (known === undefined) await listManaged(signal).catch(() => undefined);
    return known;
  }

  const ops: GcpOps = {
    /** CreateSecret; false when it already exists. */
    async createSecret(name: string, operation: string, signal?: AbortSignal): Promise<boolean> {
      try {
        await call(operation, name, signal, async (c) => {
          await writeSlot(operation, name, signal);
          return c.createSecret(
            {
              parent,
              secretId: name,
              secret: { replication: { automatic: {} }, labels: { ...MANAGED_LABELS } },
            },
            callOptions(),
          );
        });
        return true;
      } catch (error) {
        if (isGrpcStatus(error, 'ALREADY_EXISTS')) return false;
        throw error;
      }
    },
    /** AddSecretVersion; the new version's number. */
    async addVersion(
      name: string,
      value: string,
      operation: string,
      signal?: AbortSignal,
    ): Promise<string> {
      const [version] = await call(
        operation,
        name,
        signal,
        async (c) => {
          await writeSlot(operation, name, signal);
          return c.addSecretVersion(
            { parent: secretPath(name), payload: { data: Buffer.from(value, 'utf8') } },
            callOptions(),
          );
        },
        [value],
      );
      return versionIdOf(version.name);
    },
    /** AccessSecretVersion of `version` (`latest` or a number); undefined when absent. */
    async access(
      name: string,
      version: string,
      operation: string,
      signal?: AbortSignal,
    ): Promise<{ value: string; version: string } | undefined> {
      try {
        const [response] = await call(operation, name, signal, (c) =>
          c.accessSecretVersion({ name: `${secretPath(name)}/versions/${version}` }, callOptions()),
        );
        const data = response.payload?.data;
        const value =
          typeof data === 'string' ? data : Buffer.from(data ?? new Uint8Array()).toString('utf8');
        return { value, version: versionIdOf(response.name) };
      } catch (error) {
        if (isGrpcStatus(error, 'NOT_FOUND')) return undefined;
        throw error;
      }
    },
    /** Every version (destroyed ones too), oldest first; [] when the secret is absent. */
    async versions(name: string, operation: string, signal?: AbortSignal): Promise<Listed[]> {
      const out: Listed[] = [];
      let pageToken = '';
      try {
        do {
          const [versions, , response] = await call(operation, name, signal, (c) =>
            c.listSecretVersions(
              { parent: secretPath(name), pageSize: PAGE_SIZE, pageToken },
              { ...callOptions(), autoPaginate: false },
            ),
          );
          for (const v of versions) {
            out.push({
              version: versionIdOf(v.name),
              state: String(v.state ?? ''),
              enabled: v.state === 'ENABLED',
              createdAt: isoOf(v.createTime),
            });
          }
          pageToken = response?.nextPageToken ?? '';
        } while (pageToken !== '');
      } catch (error) {
        if (isGrpcStatus(error, 'NOT_FOUND')) return [];
        throw error;
      }
      return out.sort((a, b) => Number(a.version) - Number(b.version));
    },
    async destroy(name: string, version: string, operation: string): Promise<void> {
      try {
        await call(operation, name, undefined, async (c) => {
          await writeSlot(operation, name, undefined);
          return c.destroySecretVersion(
            { name: `${secretPath(name)}/versions/${version}` },
            callOptions(),
          );
        });
      } catch (error) {
        if (isGrpcStatus(error, 'NOT_FOUND') || isGrpcStatus(error, 'FAILED_PRECONDITION')) return;
        throw error;
      }
    },
    /**
     * `versions/latest`: the most recently created version, whatever its state (the API's
     * alias, https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access).
     * A disabled or destroyed one is no working key, whatever older versions hold: External
     * Secrets and `gcloud secrets versions access latest` read exactly this alias.
     */
    async latest(name: string, operation: string, signal?: AbortSignal): Promise<Latest> {
      try {
        const found = await ops.access(name, 'latest', operation, signal);
        if (found !== undefined) known?.add(name);
        return found === undefined ? { kind: 'absent' } : { kind: 'value', ...found };
      } catch (error) {
        if (!isGrpcStatus(error, 'FAILED_PRECONDITION')) throw error;
        const newest = (await ops.versions(name, operation, signal)).at(-1);
        return newest === undefined
          ? { kind: 'absent' }
          : { kind: 'unusable', version: newest.version };
      }
    },
  };

  return {
    spec: `gcp:${project}`,
    async readLatest(name: string, options?: StoreCallOptions): Promise<string | undefined> {
      enter('readLatest', options, name);
      const latest = await ops.latest(name, 'readLatest', options?.signal);
      return latest.kind === 'value' ? latest.value : undefined;
    },
    async writeVersion(
      name: string,
      value: string,
      options?: StoreCallOptions,
    ): Promise<WrittenVersion> {
      enter('writeVersion', options, name);
      assertSecretValue(value, KIND, 'writeVersion', name);
      const signal = options?.signal;
      // Create only when the secret is absent (issue 22: CreateSecret before every add made
      // two writes a project against a quota of 600 a minute). Whether it exists comes from
      // what this store has seen (one labelled listing, reads, writes); a stale answer costs
      // one call and is still right: ALREADY_EXISTS means add, and a NOT_FOUND from the add (a
      // concurrent delete) means create, once.
      const exists = (await knownSecrets(signal))?.has(name) === true;
      for (let round = 0; ; round++) {
        if (round > 0 || !exists) await ops.createSecret(name, 'writeVersion', signal);
        try {
          const version = await ops.addVersion(name, value, 'writeVersion', signal);
          known?.add(name);
          return { version };
        } catch (error) {
          if (round > 0 || !isGrpcStatus(error, 'NOT_FOUND')) throw error;
        }
      }
    },
    async writeIfAbsent(
      name: string,
      value: string,
      options?: StoreCallOptions,
    ): Promise<WriteIfAbsentResult> {
      enter('writeIfAbsent', options, name);
      assertSecretValue(value, KIND, 'writeIfAbsent', name);
      return claimFirstVersion(name, value, ops, { claimTimeoutMs, signal: options?.signal });
    },
    async list(prefix: string, options?: StoreCallOptions): Promise<string[]> {
      enter('list', options);
      assertSecretPrefix(prefix, KIND);
      const names = await listManaged(options?.signal);
      return names.filter((id) => id.startsWith(prefix)).sort();
    },
    async listVersions(name: string, options?: StoreCallOptions): Promise<SecretVersionInfo[]> {
      enter('listVersions', options, name);
      const versions = await ops.versions(name, 'listVersions', options?.signal);
      return versions
        .filter((v) => v.state !== 'DESTROYED')
        .map((v) => ({ version: v.version, createdAt: v.createdAt }));
    },
    async delete(name: string, options?: StoreCallOptions): Promise<void> {
      enter('delete', options, name);
      try {
        known?.delete(name);
        await call('delete', name, options?.signal, async (c) => {
          await writeSlot('delete', name, options?.signal);
          return c.deleteSecret({ name: secretPath(name) }, callOptions());
        });
      } catch (error) {
        if (!isGrpcStatus(error, 'NOT_FOUND')) throw error;
      }
    },
    async acquireLease(lease: LeaseOptions): Promise<LeaseAttempt> {
      enter('acquireLease', lease);
      return acquireLeaseIn(leaseCell, lease, KIND);
    },
    async preflight(options?: PreflightOptions): Promise<void> {
      enter('preflight', options);
      await gcpPreflight(
        project,
        MANAGED_FILTER,
        preflightOperations(options),
        (operation, attempt) => call(operation, undefined, options?.signal, attempt),
        callOptions,
      );
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const open = client;
      client = undefined;
      await open?.then((c) => c.close()).catch(() => undefined);
    },
  };
}

function versionIdOf(name: string | null | undefined): string {
  const id = name?.split('/').at(-1) ?? '';
  if (!/^[1-9][0-9]*$/.test(id)) {
    throw new SecretStoreError({
      code: 'store_error',
      store: KIND,
      message: `Secret Manager answered with an unexpected version name "${String(name).slice(0, 200)}"`,
    });
  }
  return id;
}

function isoOf(
  time: { seconds?: unknown; nanos?: number | null } | null | undefined,
): string | undefined {
  if (time === null || time === undefined || time.seconds === undefined) return undefined;
  const ms = Number(String(time.seconds)) * 1000 + Math.floor((time.nanos ?? 0) / 1_000_000);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
