/**
 * `aphoria-hosted diff --branch <b> --base <branch>` (or `--base-commit <sha>`): the findings
 * new on the branch and those fixed, as text, `--json`, or `--sarif <file>` (the new ones);
 * `--fail-on <severity>` exits 1 when a new finding is at or above it (a gate on new code).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { atOrAbove, diffScans, findingsToSarif } from '../diff.js';
import type { FindingValue } from '../mapping.js';
import { SEVERITIES, type Severity } from '../scan.js';
import { type CommonFlags, loadConfig } from './common.js';
import { ExitWith, type Io, printJson, UsageError } from './io.js';

/** The flags of diff. */
export interface DiffFlags extends CommonFlags {
  project?: string;
  branch?: string;
  base?: string;
  baseCommit?: string;
  sarif?: string;
  failOn?: string;
}

function line(f: FindingValue): string {
  return `${f.severity.padEnd(8)} ${f.file}:${f.line}  ${f.rule}  ${f.message.split('\n')[0]}`;
}

export async function runDiff(flags: DiffFlags, io: Io): Promise<void> {
  if (flags.branch === undefined) throw new UsageError('diff needs --branch <name>');
  if ((flags.base === undefined) === (flags.baseCommit === undefined)) {
    throw new UsageError('diff needs one of --base <branch> and --base-commit <sha>');
  }
  const failOn = flags.failOn;
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  }
  const config = await loadConfig(io);
  const project = flags.project ?? config.project;
  if (project === undefined) {
    throw new UsageError(
      'name the project with --project <name> or [hosted] project = "<name>" in .aphoria/config.toml',
    );
  }
  const diff = await diffScans({
    config,
    project,
    branch: flags.branch,
    base: flags.base,
    baseCommit: flags.baseCommit,
  });
  if (flags.sarif !== undefined) {
    await writeFile(
      resolve(io.cwd, flags.sarif),
      `${JSON.stringify(findingsToSarif(diff.new), null, 2)}\n`,
    );
  }
  if (flags.json === true) printJson(io, { project, branch: flags.branch, ...diff });
  else {
    const against = flags.base ?? flags.baseCommit;
    io.stdout.write(
      diff.scanId === undefined
        ? `no complete scan of ${project} on ${flags.branch}\n`
        : `${flags.branch} against ${against}: ${diff.new.length} new, ${diff.fixed.length} fixed\n`,
    );
    for (const f of diff.new) io.stdout.write(`new    ${line(f)}\n`);
    for (const f of diff.fixed) io.stdout.write(`fixed  ${line(f)}\n`);
  }
  if (failOn !== undefined) {
    const over = diff.new.filter((f) => atOrAbove(f.severity, failOn as Severity));
    if (over.length > 0) {
      throw new ExitWith(
        1,
        `${over.length} new finding(s) at or above ${failOn} on ${flags.branch} (--fail-on ${failOn})`,
      );
    }
  }
}
