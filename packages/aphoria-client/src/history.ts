/**
 * `readScanHistory`: a finding's or a project's history, read back from StemeDB through the
 * SDK's `iterateAssertions`, newest first. It reads exactly the subjects and predicates that
 * {@link scanToAssertions} writes (src/subjects.ts), so the writer and the reader cannot drift.
 */
import { isStemeError, type StemeClient } from '@stemedb/sdk';
import { z } from 'zod';
import { clientFor } from './client.js';
import { AphoriaOptionsError } from './errors.js';
import { branchStates, type FindingStateEntry } from './finding-states.js';
import { FindingValueSchema, ScanSummaryValueSchema } from './history-values.js';
import type { FindingValue, ScanSummaryValue } from './mapping.js';
import { type PersistClientOptions, parseOptions } from './persist/options.js';
import { authError } from './refusals.js';
import { PROJECT_NAME_PATTERN } from './scan.js';
import {
  FINDING_PREDICATE,
  findingSubject,
  SCAN_PREDICATE,
  scanAgentId,
  scansSubject,
} from './subjects.js';
import type { HostedConfig } from './types.js';

/** Options of {@link readScanHistory}. Unknown keys throw. */
export interface ReadScanHistoryOptions {
  /** From `loadHostedConfig` or `createHostedConfig`. */
  config: HostedConfig;
  /** The project, as in the scan file (`payments-api`). */
  project: string;
  /** A finding's fingerprint: its history. Without it, the project's scans. */
  fingerprint?: string | undefined;
  /**
   * A branch: yield each finding of its latest complete scan as `new`, `open` or `reintroduced`,
   * and each finding of its previous complete scan that is gone as `fixed`
   * ({@link FindingStateEntry}). Not with `fingerprint`.
   */
  branch?: string | undefined;
  /**
   * Also yield a finding's sightings by scans whose summary is not stored (a persist cut off
   * half-way: its CI retry is another scan, with another id), each marked `incomplete: true`.
   * Without it they are left out, so a half-persisted attempt never shows as a second scan of
   * a commit. A project's scans are read from their summaries: always complete.
   * @default false
   */
  includeIncomplete?: boolean | undefined;
  /** Stops reading; the iteration rejects with the SDK's abort error. */
  signal?: AbortSignal | undefined;
  /** The StemeDB client's options (retry, timeouts, dispatcher). @default the SDK's */
  clientOptions?: PersistClientOptions | undefined;
}

/** One stored assertion of a scan, as read back. */
export interface HistoryEntry<V> {
  /** The assertion's id on the server. */
  readonly id: string;
  /** When the server accepted it (RFC 3339). */
  readonly acceptedAt: string;
  /** The scan it belongs to (`computeScanId`). */
  readonly scanId: string;
  /** What was stored: the finding as that scan saw it, or the scan's summary. */
  readonly value: V;
  /**
   * True when the scan's summary is not stored: the scan was not wholly persisted (only with
   * `includeIncomplete: true`; such entries are left out otherwise).
   */
  readonly incomplete: boolean;
}

/** One scan's sighting of a finding. */
export type FindingHistoryEntry = HistoryEntry<FindingValue>;
/** One scan of a project (its summary). */
export type ScanHistoryEntry = HistoryEntry<ScanSummaryValue>;

/** The largest page the contract allows. */
const PAGE = 1000;

const OptionsSchema = z.strictObject({
  config: z.custom<HostedConfig>(
    (v) =>
      typeof (v as Partial<HostedConfig> | null)?.url === 'string' &&
      typeof (v as Partial<HostedConfig>).apiKey === 'string' &&
      typeof (v as Partial<HostedConfig>).apiKeyEnv === 'string',
    'must be a HostedConfig (from loadHostedConfig or createHostedConfig)',
  ),
  project: z.string().regex(PROJECT_NAME_PATTERN, {
    error: 'must be a project name: lowercase letters, digits and hyphens',
  }),
  fingerprint: z.string().min(1).max(1024).optional(),
  branch: z.string().min(1).max(255).optional(),
  includeIncomplete: z.boolean().optional(),
  signal: z.instanceof(AbortSignal).optional(),
  clientOptions: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Reads a finding's history (with `fingerprint`: every scan that reported it) or a project's
 * scans (without: each scan's summary), newest first, page by page: nothing is held beyond one
 * page. Each scan appears once; a stored value this package did not write (another writer on
 * the subject, an unknown schema, an agent id that does not match the scan id) is skipped. A
 * finding's sighting by a scan whose summary is not stored (a persist cut off half-way) is left
 * out unless `includeIncomplete: true`, which yields it marked `incomplete: true`.
 * Breaking out of the loop closes the client.
 *
 * With `branch`, it yields the branch's findings with their state against the previous complete
 * scan of the branch, as GitHub code scanning's alert states: `new`, `open`, `fixed`,
 * `reintroduced` (see {@link FindingStateEntry}).
 *
 * @throws AphoriaOptionsError for a bad option (at the first `next()`)
 * @throws HostedAuthError when StemeDB refuses the key (401) or its role (403)
 * @throws StemeError (from `@stemedb/sdk`) when StemeDB cannot be read after the SDK's retries
 *
 * @example
 * ```ts
 * const config = await loadHostedConfig();
 * for await (const seen of readScanHistory({ config, project: 'payments-api', fingerprint })) {
 *   console.log(seen.acceptedAt, seen.value.commit, seen.value.severity);
 * }
 * ```
 */
export function readScanHistory(
  options: ReadScanHistoryOptions & { branch: string; fingerprint?: undefined },
): AsyncGenerator<FindingStateEntry, void, undefined>;
export function readScanHistory(
  options: ReadScanHistoryOptions & { fingerprint: string },
): AsyncGenerator<FindingHistoryEntry, void, undefined>;
export function readScanHistory(
  options: ReadScanHistoryOptions & { fingerprint?: undefined; branch?: undefined },
): AsyncGenerator<ScanHistoryEntry, void, undefined>;
export function readScanHistory(
  options: ReadScanHistoryOptions,
): AsyncGenerator<FindingHistoryEntry | ScanHistoryEntry | FindingStateEntry, void, undefined>;
export async function* readScanHistory(
  options: ReadScanHistoryOptions,
): AsyncGenerator<FindingHistoryEntry | ScanHistoryEntry | FindingStateEntry, void, undefined> {
  const o = parseHistoryOptions(options);
  const forFinding = o.fingerprint !== undefined;
  if (o.branch !== undefined) {
    if (forFinding) {
      throw new AphoriaOptionsError(
        'readScanHistory: branch and fingerprint exclude each other: pass one',
        { field: 'branch' },
      );
    }
    yield* readBranch(options, o.branch);
    return;
  }
  const subject = forFinding ? findingSubject(o.project, o.fingerprint!) : scansSubject(o.project);
  const predicate = forFinding ? FINDING_PREDICATE : SCAN_PREDICATE;
  const schema = forFinding ? FindingValueSchema : ScanSummaryValueSchema;
  const client = clientFor(o.config, o.clientOptions as PersistClientOptions | undefined);
  const seen = new Set<string>();
  const complete = summaryCheck(client, o.project, o.config.apiKeyEnv, o.signal);
  try {
    const items = client.iterateAssertions(
      { subject, predicate, limit: PAGE },
      o.signal === undefined ? undefined : { signal: o.signal },
    );
    for await (const item of readAuthorised(items, o.config.apiKeyEnv)) {
      const parsed = schema.safeParse(item.value);
      if (!parsed.success) continue;
      const value = parsed.data;
      if (value.project !== o.project || item.agent_id !== scanAgentId(value.scan_id)) continue;
      if (forFinding && (value as FindingValue).fingerprint !== o.fingerprint) continue;
      if (seen.has(value.scan_id)) continue; // one entry per scan, the newest
      seen.add(value.scan_id);
      // A summary is its scan's proof of completeness; a finding needs its scan's summary.
      const incomplete = forFinding && !(await complete(value.scan_id));
      if (incomplete && !o.includeIncomplete) continue;
      yield {
        id: item.id,
        acceptedAt: item.accepted_at,
        scanId: value.scan_id,
        value,
        incomplete,
      } as FindingHistoryEntry | ScanHistoryEntry;
    }
  } finally {
    await client.close();
  }
}

/** `readScanHistory({ branch })`: the branch's complete scans (summaries), then their states. */
async function* readBranch(
  options: ReadScanHistoryOptions,
  branch: string,
): AsyncGenerator<FindingStateEntry, void, undefined> {
  const scans: ScanHistoryEntry[] = [];
  for await (const scan of readScanHistory({
    ...options,
    branch: undefined,
    fingerprint: undefined,
  })) {
    if (scan.value.branch === branch) scans.push(scan);
  }
  const client = clientFor(
    options.config,
    options.clientOptions as PersistClientOptions | undefined,
  );
  try {
    yield* readAuthorised(
      branchStates(client, options.project, scans, options.signal),
      options.config.apiKeyEnv,
    );
  } finally {
    await client.close();
  }
}

/**
 * Whether a scan's summary is stored (persistScan sends it last, once every finding is): one
 * read per scan, by its agent id on the project's scans subject, remembered for the walk.
 */
function summaryCheck(
  client: StemeClient,
  project: string,
  apiKeyEnv: string,
  signal: AbortSignal | undefined,
): (scanId: string) => Promise<boolean> {
  const known = new Map<string, boolean>();
  return async (scanId) => {
    const cached = known.get(scanId);
    if (cached !== undefined) return cached;
    let found = false;
    const items = client.iterateAssertions(
      { subject: scansSubject(project), predicate: SCAN_PREDICATE, agent_id: scanAgentId(scanId) },
      signal === undefined ? undefined : { signal },
    );
    for await (const item of readAuthorised(items, apiKeyEnv)) {
      const parsed = ScanSummaryValueSchema.safeParse(item.value);
      if (parsed.success && parsed.data.scan_id === scanId && parsed.data.project === project) {
        found = true;
        break;
      }
    }
    known.set(scanId, found);
    return found;
  };
}

/** The SDK's items, with a 401/403 turned into a {@link HostedAuthError} naming the env var. */
async function* readAuthorised<T>(items: AsyncIterable<T>, apiKeyEnv: string): AsyncGenerator<T> {
  try {
    yield* items;
  } catch (error) {
    if (isStemeError(error) && (error.status === 401 || error.status === 403)) {
      throw authError(error, apiKeyEnv, 'read');
    }
    throw error;
  }
}

function parseHistoryOptions(options: unknown): z.output<typeof OptionsSchema> {
  return parseOptions(OptionsSchema, options, 'readScanHistory', '{ config, project }');
}
