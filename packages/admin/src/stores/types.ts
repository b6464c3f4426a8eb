/**
 * The secret-store interface every command programs against. Three implementations (`gcp:`,
 * `k8s:`, `file:`) plus an in-memory one for throwaway use; `openSecretStore(spec)` picks one.
 * Values are secrets: no implementation may put one in an error, a log line or `toJSON`.
 *
 * Every method throws only {@link SecretStoreError}s (stable `code`s: `invalid_secret_name`,
 * `permission_denied`, `unavailable`, `aborted`, `store_closed`, ...). Secret names follow one
 * rule in every store (see `assertSecretName`), so that a name that works with `file:` in
 * development also works with `gcp:` and `k8s:` in production.
 *
 * Extensions over the first draft (for B2 and the reconcile): `writeVersion` and
 * `writeIfAbsent` also say which version they wrote or found, and {@link SecretStore.listVersions}
 * lists a secret's versions without their values, so that `list` and the tests can see how
 * many rotations a secret has been through. Callers that ignore the extra fields lose nothing.
 */

import type { SecretStoreError } from './errors.js';
import type { SecretStoreLeases } from './lease-types.js';

/**
 * A store of named secrets, each with versions of which the latest is the value, and the run
 * lease (`acquireLease`, see lease-types.ts) that keeps two runs from interleaving.
 */
export interface SecretStore extends SecretStoreLeases {
  /** The store spec it was opened from, e.g. `gcp:my-project` (never holds a secret). */
  readonly spec: string;
  /** The latest version's value, or `undefined` when the secret or any version is absent. */
  readLatest(name: string, options?: StoreCallOptions): Promise<string | undefined>;
  /** Adds a version (creating the secret first where it is absent); it becomes the latest. */
  writeVersion(name: string, value: string, options?: StoreCallOptions): Promise<WrittenVersion>;
  /**
   * Writes `value` only when the secret has no version yet. Resolves with what is stored
   * afterwards and whether this call wrote it: of two concurrent calls (in one process or
   * two), exactly one resolves `written: true` and both resolve the winner's value.
   */
  writeIfAbsent(
    name: string,
    value: string,
    options?: StoreCallOptions,
  ): Promise<WriteIfAbsentResult>;
  /** Names of the secrets that start with `prefix`, sorted. */
  list(prefix: string, options?: StoreCallOptions): Promise<string[]>;
  /**
   * The secret's versions, oldest first, without their values; `[]` when it is absent. A
   * version id is a decimal string that increases with every write (`"1"`, `"2"`, ...).
   */
  listVersions(name: string, options?: StoreCallOptions): Promise<SecretVersionInfo[]>;
  /** Deletes the secret with every version; resolves quietly when it is absent. */
  delete(name: string, options?: StoreCallOptions): Promise<void>;
  /**
   * Checks, before a command mints anything, that this store's credentials may do
   * `operations` (Secret Manager `TestIamPermissions`, Kubernetes `SelfSubjectAccessReview`,
   * the file's directory writable). Resolves when they may, or when the store cannot tell (see
   * docs/stores.md); rejects with `permission_denied` naming what is missing.
   */
  preflight(options?: PreflightOptions): Promise<void>;
  /** Releases connections; later calls fail with `store_closed`. Safe to call twice. */
  close(): Promise<void>;
}

/** Per-call options every store method takes. */
export interface StoreCallOptions {
  /** Cancels the call and any pending retry wait (the call rejects with code `aborted`). */
  signal?: AbortSignal | undefined;
}

/** What a command will ask of a store, for {@link SecretStore.preflight}. */
export type StoreOperation = 'read' | 'write' | 'delete';

/** Options of {@link SecretStore.preflight}. */
export interface PreflightOptions extends StoreCallOptions {
  /** What the command will do. @default ['read', 'write'] */
  operations?: readonly StoreOperation[] | undefined;
}

/** What `writeVersion` wrote. */
export interface WrittenVersion {
  /** The new version's id (a decimal string, larger than every earlier one). */
  readonly version: string;
}

/** What `writeIfAbsent` found or wrote. */
export interface WriteIfAbsentResult {
  /** True when this call wrote the value; false when a version was already there. */
  readonly written: boolean;
  /** The value stored afterwards (the caller's own when `written`). */
  readonly value: string;
  /** The id of the version holding `value`. */
  readonly version: string;
}

/** One version of a secret, without its value. */
export interface SecretVersionInfo {
  /** The version id, a decimal string. */
  readonly version: string;
  /** When it was written (ISO 8601), where the store records it. */
  readonly createdAt: string | undefined;
}

/** Re-exported for the TSDoc links above. */
export type { SecretStoreError };
