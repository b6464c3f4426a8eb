/**
 * The run lease's types (issue 22, "one run at a time per store"): a record held in the store
 * itself, so that two `provision`/`rotate`/`revoke` runs against one store, from any host,
 * never interleave. Each store keeps the record where it can change it atomically (see
 * lease-cell.ts); the claim and renew logic is one algorithm for all (lease.ts).
 */

/** Who holds (or asks for) a lease: enough to tell an operator which run is in the way. */
export interface LeaseHolder {
  /** A random id of this run; the lease is this run's while the record carries it. */
  readonly id: string;
  /** The holder's host name. */
  readonly host: string;
  /** The holder's process id. */
  readonly pid: number;
  /** When the holder took the lease (ISO 8601). */
  readonly since: string;
  /** What the holder runs, e.g. `provision` (for the message only). */
  readonly command?: string | undefined;
}

/** The record a store keeps for its lease. */
export interface LeaseRecord {
  readonly holder: LeaseHolder;
  /** When the holder last renewed it (ISO 8601). */
  readonly renewedAt: string;
  /** How long after `renewedAt` it expires, in milliseconds. */
  readonly durationMs: number;
}

/** Options of {@link SecretStoreLeases.acquireLease}. */
export interface LeaseOptions {
  /** Who asks (the same `id` for every attempt of one run). */
  holder: LeaseHolder;
  /** How long the lease lasts unless renewed, in milliseconds. */
  durationMs: number;
  /** The clock judging expiry. @default () => new Date() */
  now?: (() => Date) | undefined;
  /** Cancels the store calls. */
  signal?: AbortSignal | undefined;
}

/** A held lease. */
export interface StoreLease {
  /** This run, as the record names it. */
  readonly holder: LeaseHolder;
  /**
   * Extends the lease by its duration from now. Throws a `SecretStoreError` with code
   * `lease_lost` when another run took it over meanwhile (this run was stalled past expiry).
   */
  renew(): Promise<void>;
  /** Gives it up (marks it expired); quiet when it was taken over already. Idempotent. */
  release(): Promise<void>;
}

/** What one attempt to take the lease found. */
export type LeaseAttempt =
  | { readonly acquired: true; readonly lease: StoreLease }
  | {
      readonly acquired: false;
      /** The run holding it. */
      readonly holder: LeaseHolder;
      /** When it expires unless renewed (ISO 8601). */
      readonly expiresAt: string;
    };

/** The lease method every store has (merged into `SecretStore`). */
export interface SecretStoreLeases {
  /**
   * One attempt to take the store's run lease: taken when free, expired, or held by a process
   * of this host that no longer runs. Never waits; the caller polls (see `holdRunLease`).
   */
  acquireLease(options: LeaseOptions): Promise<LeaseAttempt>;
}
