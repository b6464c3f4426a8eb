/**
 * The secret-store interface every command programs against. Three implementations (`gcp:`,
 * `k8s:`, `file:`) plus an in-memory one for throwaway use; `openSecretStore(spec)` picks one.
 * Values are secrets: no implementation may put one in an error, a log line or `toJSON`.
 */

/** A store of named secrets, each with versions of which the latest is the value. */
export interface SecretStore {
  /** The store spec it was opened from, e.g. `gcp:my-project` (never holds a secret). */
  readonly spec: string;
  /** The latest enabled version's value, or `undefined` when the secret or any version is absent. */
  readLatest(name: string, options?: StoreCallOptions): Promise<string | undefined>;
  /** Adds a version (creating the secret first where it is absent); it becomes the latest. */
  writeVersion(name: string, value: string, options?: StoreCallOptions): Promise<void>;
  /**
   * Writes `value` only when the secret has no version yet. Resolves with what is stored
   * afterwards and whether this call wrote it (a concurrent writer may have won).
   */
  writeIfAbsent(
    name: string,
    value: string,
    options?: StoreCallOptions,
  ): Promise<{ written: boolean; value: string }>;
  /** Names of the secrets that start with `prefix`, sorted. */
  list(prefix: string, options?: StoreCallOptions): Promise<string[]>;
  /** Deletes the secret with every version; resolves quietly when it is absent. */
  delete(name: string, options?: StoreCallOptions): Promise<void>;
  /** Releases connections; later calls fail. Safe to call twice. */
  close(): Promise<void>;
}

/** Per-call options every store method takes. */
export interface StoreCallOptions {
  /** Cancels the call and any pending retry wait. */
  signal?: AbortSignal | undefined;
}
