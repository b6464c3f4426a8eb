/** Types the gcp: store's modules share (gcp.ts builds the calls, gcp-claim.ts uses them). */

/** A version as the store lists it. */
export interface Listed {
  readonly version: string;
  /** ENABLED, DISABLED or DESTROYED, as Secret Manager names it. */
  readonly state: string;
  readonly enabled: boolean;
  readonly createdAt: string | undefined;
}

/**
 * What `versions/latest` holds. Secret Manager's `latest` is the most recently created version
 * whatever its state: a disabled or destroyed one is `unusable` (External Secrets and `gcloud
 * secrets versions access latest` fail on it), never silently the newest enabled one.
 */
export type Latest =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unusable'; readonly version: string }
  | { readonly kind: 'value'; readonly value: string; readonly version: string };

/** The Secret Manager calls gcp-claim.ts builds on. */
export type GcpOps = {
  createSecret(name: string, operation: string, signal?: AbortSignal): Promise<boolean>;
  addVersion(name: string, value: string, operation: string, signal?: AbortSignal): Promise<string>;
  access(
    name: string,
    version: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<{ value: string; version: string } | undefined>;
  /** Every version, destroyed ones too, oldest first; [] when the secret is absent. */
  versions(name: string, operation: string, signal?: AbortSignal): Promise<Listed[]>;
  destroy(name: string, version: string, operation: string): Promise<void>;
  latest(name: string, operation: string, signal?: AbortSignal): Promise<Latest>;
};
