/**
 * `aphoria-hosted history --branch <b>`: each finding of a branch's latest complete scan as new,
 * open or reintroduced, and those its previous complete scan had that are gone as fixed
 * (readScanHistory with `branch`).
 */
import type { FindingStateEntry } from '../finding-states.js';
import { readScanHistory } from '../history.js';
import { type CommonFlags, loadConfig } from './common.js';
import { type Io, printJson, UsageError } from './io.js';

/** The flags of history. */
export interface HistoryFlags extends CommonFlags {
  project?: string;
  branch?: string;
}

/** The states, in the order a reader acts on them. */
const ORDER = ['new', 'reintroduced', 'open', 'fixed'] as const;

export async function runHistory(flags: HistoryFlags, io: Io): Promise<void> {
  if (flags.branch === undefined) throw new UsageError('history needs --branch <name>');
  const config = await loadConfig(io);
  const project = flags.project ?? config.project;
  if (project === undefined) {
    throw new UsageError(
      'name the project with --project <name> or [hosted] project = "<name>" in .aphoria/config.toml',
    );
  }
  const findings: FindingStateEntry[] = [];
  for await (const entry of readScanHistory({ config, project, branch: flags.branch })) {
    findings.push(entry);
  }
  const scanId = findings[0]?.scanId ?? null;
  const previousScanId = findings[0]?.previousScanId ?? null;
  if (flags.json === true) {
    return printJson(io, { project, branch: flags.branch, scanId, previousScanId, findings });
  }
  if (scanId === null) {
    io.stdout.write(`no complete scan of ${project} on ${flags.branch}\n`);
    return;
  }
  const counts = ORDER.map((s) => `${findings.filter((f) => f.state === s).length} ${s}`);
  io.stdout.write(
    `scan ${scanId} of ${project} on ${flags.branch}, against ${previousScanId ?? 'no earlier scan'}: ${counts.join(', ')}\n`,
  );
  for (const state of ORDER) {
    for (const { finding } of findings.filter((f) => f.state === state)) {
      io.stdout.write(
        `${state.padEnd(12)} ${finding.severity.padEnd(8)} ${finding.file}:${finding.line}  ${finding.rule}  ${finding.message.split('\n')[0]}\n`,
      );
    }
  }
}
