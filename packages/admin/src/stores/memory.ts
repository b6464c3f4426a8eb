/**
 * An in-process secret store: for tests and for the gate's throwaway keys. Values live in this
 * process only and are gone when it exits. It implements the interface exactly as the durable
 * stores do (names, versions, `writeIfAbsent` semantics), so code tested against it behaves the
 * same against `gcp:`, `k8s:` and `file:`.
 */
import { assertNotAborted, assertOpen } from './guard.js';
import { acquireLeaseIn } from './lease.js';
import { memoryLeaseCell } from './lease-cell.js';
import type { LeaseAttempt, LeaseOptions } from './lease-types.js';
import { assertSecretName, assertSecretPrefix, assertSecretValue } from './secret-name.js';
import type {
  PreflightOptions,
  SecretStore,
  SecretVersionInfo,
  StoreCallOptions,
  WriteIfAbsentResult,
  WrittenVersion,
} from './types.js';

interface Version {
  readonly version: number;
  readonly value: string;
  readonly createdAt: string;
}

/** Options of {@link createMemorySecretStore}. */
export interface MemorySecretStoreOptions {
  /**
   * The clock that stamps versions.
   * @default () => new Date()
   */
  now?: (() => Date) | undefined;
}

const KIND = 'memory';

/** A fresh, empty in-memory store (spec `memory:`). */
export function createMemorySecretStore(options: MemorySecretStoreOptions = {}): SecretStore {
  const now = options.now ?? (() => new Date());
  const secrets = new Map<string, Version[]>();
  let closed = false;
  const leaseCell = memoryLeaseCell();

  function enter(operation: string, call: StoreCallOptions | undefined, name?: string): void {
    assertOpen(closed, KIND, operation);
    assertNotAborted(call?.signal, KIND, operation, name);
    if (name !== undefined) assertSecretName(name, KIND, operation);
  }

  function add(name: string, value: string): number {
    const versions = secrets.get(name) ?? [];
    const version = (versions.at(-1)?.version ?? 0) + 1;
    versions.push({ version, value, createdAt: now().toISOString() });
    secrets.set(name, versions);
    return version;
  }

  return {
    spec: 'memory:',
    async readLatest(name: string, call?: StoreCallOptions): Promise<string | undefined> {
      enter('readLatest', call, name);
      return secrets.get(name)?.at(-1)?.value;
    },
    async writeVersion(
      name: string,
      value: string,
      call?: StoreCallOptions,
    ): Promise<WrittenVersion> {
      enter('writeVersion', call, name);
      assertSecretValue(value, KIND, 'writeVersion', name);
      return { version: String(add(name, value)) };
    },
    async writeIfAbsent(
      name: string,
      value: string,
      call?: StoreCallOptions,
    ): Promise<WriteIfAbsentResult> {
      enter('writeIfAbsent', call, name);
      assertSecretValue(value, KIND, 'writeIfAbsent', name);
      const latest = secrets.get(name)?.at(-1);
      if (latest !== undefined)
        return { written: false, value: latest.value, version: String(latest.version) };
      return { written: true, value, version: String(add(name, value)) };
    },
    async list(prefix: string, call?: StoreCallOptions): Promise<string[]> {
      enter('list', call);
      assertSecretPrefix(prefix, KIND);
      return [...secrets.keys()].filter((name) => name.startsWith(prefix)).sort();
    },
    async listVersions(name: string, call?: StoreCallOptions): Promise<SecretVersionInfo[]> {
      enter('listVersions', call, name);
      return (secrets.get(name) ?? []).map((v) => ({
        version: String(v.version),
        createdAt: v.createdAt,
      }));
    },
    async delete(name: string, call?: StoreCallOptions): Promise<void> {
      enter('delete', call, name);
      secrets.delete(name);
    },
    async acquireLease(lease: LeaseOptions): Promise<LeaseAttempt> {
      enter('acquireLease', lease);
      return acquireLeaseIn(leaseCell, lease, KIND);
    },
    async preflight(call?: PreflightOptions): Promise<void> {
      // Memory is always writable; only the open and abort checks apply.
      enter('preflight', call);
    },
    async close(): Promise<void> {
      closed = true;
      secrets.clear();
    },
  };
}
