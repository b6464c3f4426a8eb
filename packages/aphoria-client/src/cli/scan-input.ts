/**
 * What `aphoria-hosted persist <file>` reads: a native `aphoria.scan/v1` scan or a SARIF 2.1.0
 * log, told apart by content (or forced by `--format`), the log mapped to a scan with the
 * project, commit and branch from the flags, the config, the log, or the git work tree.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { sarifLogToScan } from '../sarif/parse.js';
import { sniffScanFormat } from '../sarif/sniff.js';
import { readSarifLog } from '../sarif/stream.js';
import { readScanFile, type Scan } from '../scan.js';
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

/**
 * What persist sends: a native scan file, which `persistScanFile` reads as a stream (never
 * whole: issue 21), or a scan mapped from a SARIF log.
 */
export type ScanInput = { readonly path: string } | { readonly scan: Scan };

/** Reads `file` (relative to the command's directory) as a scan. */
export async function readScanInput(
  file: string,
  flags: ScanInputFlags,
  io: Io,
  config: HostedConfig,
): Promise<ScanInput> {
  const format = flags.format;
  if (format !== undefined && !(SCAN_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format must be sarif or aphoria, not ${JSON.stringify(format.slice(0, 32))}`,
    );
  }
  const path = resolve(io.cwd, file);
  if (format === 'aphoria') return nativeOnly(flags, path);
  if (format === undefined) {
    const sniffed = await sniffScanFormat(path);
    // Not JSON, or not there: the native reader names what is wrong (a JSON mistake's line and
    // column included).
    if (sniffed === 'unreadable') return { scan: await readScanFile(path) };
    if (sniffed === 'aphoria') return nativeOnly(flags, path);
  }
  const project = flags.project ?? config.project;
  if (project === undefined) {
    throw new UsageError(
      `${file} is a SARIF log: name its project with --project <name> or [hosted] project = "<name>" in .aphoria/config.toml`,
    );
  }
  const git = await gitFacts(io.cwd);
  const mapping = {
    repositoryRoot: git.root ?? io.cwd,
    includeSnippets: flags.includeSnippets === true,
  };
  const { mtime, ...collected } = await readSarifLog(path, mapping);
  // --commit/--branch win, then the log's versionControlProvenance; the git work tree is the
  // last resort.
  const scan = sarifLogToScan(collected, {
    ...mapping,
    project,
    commit: flags.commit,
    branch: flags.branch,
    finishedAt: mtime,
    source: path,
    workTree: git,
  });
  return { scan };
}

function nativeOnly(flags: ScanInputFlags, path: string): ScanInput {
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
  return { path };
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
