/**
 * What `aphoria-hosted persist <file>` reads: a native `aphoria.scan/v1` scan or a SARIF 2.1.0
 * log, told apart by content (or forced by `--format`), the log mapped to a scan with the
 * project, commit and branch from the flags, the config, the log, or the git work tree.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ScanValidationError } from '../errors.js';
import { parseSarif } from '../sarif/parse.js';
import { looksLikeSarif, readJson } from '../sarif/read.js';
import { parseScan, readScanFile, type Scan } from '../scan.js';
import type { HostedConfig } from '../types.js';
import type { Io } from './io.js';
import { UsageError } from './io.js';

/** The input flags of persist. */
export interface ScanInputFlags {
  format?: string;
  project?: string;
  commit?: string;
  branch?: string;
  includeSnippets?: boolean;
}

/** The formats `--format` accepts. */
export const SCAN_FORMATS = ['sarif', 'aphoria'] as const;

const run = promisify(execFile);

/** Reads `file` (relative to the command's directory) as a scan. */
export async function readScanInput(
  file: string,
  flags: ScanInputFlags,
  io: Io,
  config: HostedConfig,
): Promise<Scan> {
  const format = flags.format;
  if (format !== undefined && !(SCAN_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format must be sarif or aphoria, not ${JSON.stringify(format.slice(0, 32))}`,
    );
  }
  const path = resolve(io.cwd, file);
  if (format === 'aphoria') return nativeOnly(flags, () => readScanFile(path));
  let read: { json: unknown; mtime: string };
  try {
    read = await readJson(path);
  } catch (error) {
    // The native reader names the line and column of a JSON mistake.
    if (format === undefined && error instanceof ScanValidationError) return readScanFile(path);
    throw error;
  }
  if (format === undefined && !looksLikeSarif(read.json)) {
    return nativeOnly(flags, async () => parseScan(read.json, { source: path }));
  }
  const project = flags.project ?? config.project;
  if (project === undefined) {
    throw new UsageError(
      `${file} is a SARIF log: name its project with --project <name> or [hosted] project = "<name>" in .aphoria/config.toml`,
    );
  }
  const git = await gitFacts(io.cwd);
  // --commit/--branch win; parseSarif then takes the log's versionControlProvenance; the git
  // work tree is the last resort, so it is passed only where the log names nothing.
  const provenance = provenanceOf(read.json);
  return parseSarif(read.json, {
    project,
    commit: flags.commit ?? provenance.commit ?? git.commit,
    branch: flags.branch ?? provenance.branch ?? git.branch,
    repositoryRoot: git.root ?? io.cwd,
    includeSnippets: flags.includeSnippets === true,
    finishedAt: read.mtime,
    source: path,
  });
}

function nativeOnly(flags: ScanInputFlags, read: () => Promise<Scan>): Promise<Scan> {
  for (const [flag, value] of [
    ['--project', flags.project],
    ['--commit', flags.commit],
    ['--branch', flags.branch],
    ['--include-snippets', flags.includeSnippets],
  ] as const) {
    if (value !== undefined) {
      throw new UsageError(
        `${flag} applies to a SARIF log only: an aphoria.scan/v1 scan names its own`,
      );
    }
  }
  return read();
}

function provenanceOf(json: unknown): { commit?: string; branch?: string } {
  const runs = (json as { runs?: unknown }).runs;
  if (!Array.isArray(runs)) return {};
  for (const r of runs) {
    const list = (r as { versionControlProvenance?: unknown } | null)?.versionControlProvenance;
    if (!Array.isArray(list)) continue;
    const found = list.find((p) => typeof p?.revisionId === 'string');
    if (found !== undefined) {
      return {
        commit: found.revisionId,
        ...(typeof found.branch === 'string' && { branch: found.branch }),
      };
    }
  }
  return {};
}

/** HEAD's commit, its branch and the work tree's top, where git knows them. */
async function gitFacts(cwd: string): Promise<{ commit?: string; branch?: string; root?: string }> {
  const ask = async (...args: string[]) => {
    try {
      const { stdout } = await run('git', args, { cwd, timeout: 10_000 });
      const out = stdout.trim();
      return out === '' ? undefined : out;
    } catch {
      return undefined; // not a work tree, no commit yet, detached HEAD, or no git at all
    }
  };
  const [commit, branch, root] = await Promise.all([
    ask('rev-parse', 'HEAD'),
    ask('symbolic-ref', '--short', 'HEAD'),
    ask('rev-parse', '--show-toplevel'),
  ]);
  return {
    ...(commit !== undefined && { commit }),
    ...(branch !== undefined && { branch }),
    ...(root !== undefined && { root }),
  };
}
