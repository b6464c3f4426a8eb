/** Types the gcp: store's modules share (gcp.ts builds the calls, gcp-claim.ts uses them). */

/** A version as the store lists it. */
export interface Listed {
  readonly version: string;
  readonly enabled: boolean;
  readonly createdAt: string | undefined;
}

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
  versions(name: string, operation: string, signal?: AbortSignal): Promise<Listed[]>;
  destroy(name: string, version: string, operation: string): Promise<void>;
  readLatest(
    name: string,
    operation: string,
    signal?: AbortSignal,
  ): Promise<{ value: string; version: string } | undefined>;
};
