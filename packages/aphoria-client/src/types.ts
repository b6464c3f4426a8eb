/**
 * Types shared by the package's modules (config, mapping, spool, persist, CLI), so that none of
 * them imports another just for a type.
 */
import type { AssertionInput } from '@stemedb/sdk';

/**
 * Where and how to reach the hosted StemeDB, as {@link loadHostedConfig} resolves it.
 * The key is readable as `apiKey` but never shown by `util.inspect`, `JSON.stringify` or
 * `String()` of the object.
 */
export interface HostedConfig {
  /** StemeDB's base URL, e.g. `https://stemedb.example.com`. */
  readonly url: string;
  /** The environment variable the key was read from, e.g. `STEMEDB_API_KEY`. */
  readonly apiKeyEnv: string;
  /** The key (`steme_live_` + 48 hex). */
  readonly apiKey: string;
  /** The `.aphoria/config.toml` it came from; `undefined` when built in code. */
  readonly configPath: string | undefined;
  /** The durable spool's directory (`.aphoria/spool/` beside the config by default). */
  readonly spoolDir: string;
  /** `[hosted] project`: the project a SARIF log is persisted under unless `--project` names one. */
  readonly project?: string | undefined;
}

/** One assertion of a scan, with the finding it came from (`undefined` for the scan summary). */
export interface MappedAssertion {
  /** Position in `scanToAssertions(scan)`'s output, from 0. */
  readonly index: number;
  /** What is sent to StemeDB. */
  readonly input: AssertionInput;
  /** The finding's position in `scan.findings`, or `undefined` for the scan's summary. */
  readonly findingIndex: number | undefined;
}
