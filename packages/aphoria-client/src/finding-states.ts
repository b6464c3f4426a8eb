/**
 * Findings across scans: each finding of a branch's latest complete scan, and each one its
 * previous complete scan had, marked as GitHub code scanning marks an alert: `new`, still
 * `open`, `fixed`, or `reintroduced` (gone in the previous scan, seen in an older one).
 * https://docs.github.com/en/code-security/code-scanning/managing-code-scanning-alerts/about-code-scanning-alerts
 */
import type { StemeClient } from '@stemedb/sdk';
import type { ScanHistoryEntry } from './history.js';
import { FindingValueSchema } from './history-values.js';
import type { FindingValue } from './mapping.js';
import { FINDING_PREDICATE, scanAgentId } from './subjects.js';

/** A finding's state in a scan against the previous complete scan of its branch. */
export type FindingState = 'new' | 'open' | 'fixed' | 'reintroduced';

/** One finding of a branch and its state, as {@link findingStates} decides it. */
export interface FindingStateEntry {
  /** The finding's fingerprint. */
  readonly fingerprint: string;
  /** new, open, fixed or reintroduced. */
  readonly state: FindingState;
  /** The finding as the latest scan saw it; for `fixed`, as the previous scan saw it. */
  readonly finding: FindingValue;
  /** The branch's latest complete scan. */
  readonly scanId: string;
  /** The complete scan before it, or `undefined` (then nothing is fixed or open). */
  readonly previousScanId: string | undefined;
}

/**
 * The states of `current`'s findings against `previous` (the branch's previous complete scan;
 * `undefined` when there is none) and `older` (every fingerprint of the branch's complete scans
 * before `previous`). Pure. Ordered: the latest scan's findings in its order, then the fixed
 * ones in the previous scan's order.
 */
export function findingStates(
  current: readonly FindingValue[],
  previous: readonly FindingValue[] | undefined,
  older: ReadonlySet<string>,
): { fingerprint: string; state: FindingState; finding: FindingValue }[] {
  const before = new Set((previous ?? []).map((f) => f.fingerprint));
  const now = new Set(current.map((f) => f.fingerprint));
  const out: { fingerprint: string; state: FindingState; finding: FindingValue }[] = current.map(
    (finding) => ({
      fingerprint: finding.fingerprint,
      finding,
      state: before.has(finding.fingerprint)
        ? 'open'
        : older.has(finding.fingerprint)
          ? 'reintroduced'
          : 'new',
    }),
  );
  for (const finding of previous ?? []) {
    if (!now.has(finding.fingerprint)) {
      out.push({ fingerprint: finding.fingerprint, finding, state: 'fixed' });
    }
  }
  return out;
}

/**
 * The states of a branch's findings, from its complete scans (their summaries, any order): the
 * latest by `finished_at` (the server's acceptance order breaks ties; a CI retry of an older
 * commit is persisted later but finished earlier) against the one before it. Internal:
 * `readScanHistory({ branch })` is the public way in.
 */
export async function* branchStates(
  client: StemeClient,
  project: string,
  scans: ScanHistoryEntry[],
  signal: AbortSignal | undefined,
): AsyncGenerator<FindingStateEntry, void, undefined> {
  scans.sort(
    (a, b) =>
      Date.parse(b.value.finished_at) - Date.parse(a.value.finished_at) ||
      Date.parse(b.acceptedAt) - Date.parse(a.acceptedAt),
  );
  const [latest, previous, ...rest] = scans;
  if (latest === undefined) return;
  const read = (scanId: string) => findingsOf(client, project, scanId, signal);
  const current = await read(latest.scanId);
  const before = previous === undefined ? undefined : await read(previous.scanId);
  const older = new Set<string>();
  for (const scan of rest) for (const f of await read(scan.scanId)) older.add(f.fingerprint);
  for (const entry of findingStates(current, before, older)) {
    yield { ...entry, scanId: latest.scanId, previousScanId: previous?.scanId };
  }
}

/** Every finding one scan stored, by its agent id; a value this package did not write is skipped. Internal. */
export async function findingsOf(
  client: StemeClient,
  project: string,
  scanId: string,
  signal: AbortSignal | undefined,
): Promise<FindingValue[]> {
  const out = new Map<string, FindingValue>();
  const items = client.iterateAssertions(
    { agent_id: scanAgentId(scanId), predicate: FINDING_PREDICATE, limit: 1000 },
    signal === undefined ? undefined : { signal },
  );
  for await (const item of items) {
    const parsed = FindingValueSchema.safeParse(item.value);
    if (!parsed.success || parsed.data.scan_id !== scanId || parsed.data.project !== project)
      continue;
    out.set(parsed.data.fingerprint, parsed.data as FindingValue);
  }
  // The server answers newest first: a stable order for the report instead.
  return [...out.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
