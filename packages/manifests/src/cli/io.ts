/**
 * What every command shares: exit codes, where output goes, colour, and how an error becomes
 * one line (STYLE.md practice 12). Nothing here may import a heavy module: it loads on every
 * start, `--help` included.
 */

/** The program's name, as errors are prefixed with it. */
export const PROGRAM = 'stemedb-manifests';

/** Success: no findings with severity error, and whatever was asked was done. */
export const EXIT_OK = 0;
/** Findings with severity error (nothing written or applied), or apply/diff failed. */
export const EXIT_FAILED = 1;
/** Bad usage: an unknown option, a missing argument, an unreadable or invalid config. */
export const EXIT_USAGE = 2;

/** The exit codes, as every command's `--help` ends. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  success (warnings do not fail)
  1  findings with severity error (nothing was written or applied), the cluster refused,
     or (diff) apply would change something
  2  usage or config error: unknown option, missing argument, unreadable or invalid config;
     apply/diff --prune that would delete a PersistentVolumeClaim without --allow-volume-change`;

/** A stream the CLI writes to; `isTTY` decides colour and progress. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Where a command writes and what it knows of its environment; injectable for tests. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  /** Print stacks with errors. */
  debug: boolean;
}

/** The real process. */
export function processIo(debug: boolean): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, debug };
}

/** A problem with how the CLI was called or configured: exit 2, one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that ran and failed (findings with errors, a refused apply): exit 1, one line. */
export class FailedError extends Error {
  override readonly name = 'FailedError';
  /** Exit 1 without printing the line: what went wrong was reported already (as JSON). */
  readonly quiet: boolean;

  constructor(message: string, options: { quiet?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.quiet = options.quiet ?? false;
  }
}

/**
 * Colour only when the stream is a terminal and the user has not turned it off with
 * `NO_COLOR` (any non-empty value, https://no-color.org) or `TERM=dumb`.
 */
export function useColour(stream: OutStream, env: Io['env']): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export interface Palette {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string): string => text;

/** ANSI colours for `stream`, or none. */
export function palette(stream: OutStream, env: Io['env']): Palette {
  if (!useColour(stream, env)) {
    return { red: plain, yellow: plain, green: plain, bold: plain, dim: plain };
  }
  return {
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    green: sgr(32, 39),
    bold: sgr(1, 22),
    dim: sgr(2, 22),
  };
}

/** Several lines as one: the rule is one line per error. */
export function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ')
    .replace(/:;/g, ':');
}

interface Issue {
  path?: unknown;
  message?: unknown;
  at?: unknown;
  frame?: unknown;
}

/** The exit code for an error thrown by a command. */
export function exitCodeOf(error: unknown): number {
  const e = error as { name?: unknown; code?: unknown } | null;
  if (e?.name === 'UsageError' || e?.name === 'ConfigError') return EXIT_USAGE;
  // Duck-typed: the cluster module (and @kubernetes/client-node) is loaded only by apply/diff.
  if (e?.name === 'ClusterError' && e.code === 'cluster/no-kubeconfig') return EXIT_USAGE;
  // A prune that would delete a claim: refused as a usage error, to be allowed explicitly.
  if (e?.name === 'ClusterError' && e.code === 'cluster/prune-volume') return EXIT_USAGE;
  return EXIT_FAILED;
}

/**
 * The line an error is reported as. A ConfigError is the exception, as compilers report: one
 * line per problem (`file:line:column: path: message`) after its header, each followed by its
 * code frame when it came from a file.
 */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  const e = error as Error & { issues?: readonly Issue[]; source?: string };
  if (e.name === 'ConfigError' && Array.isArray(e.issues)) {
    const header = e.message.split('\n')[0]!;
    const issues = e.issues.map((i) => {
      const at = i.at ? `${String(i.at)}: ` : '';
      const line = `${at}${String(i.path || '(root)')}: ${oneLine(String(i.message))}`;
      return typeof i.frame === 'string' ? `${line}\n${i.frame}` : line;
    });
    return `${header}\n${issues.join('\n')}`;
  }
  return oneLine(e.message);
}

/** Writes an error to stderr: one line, or with `--debug` the stack and every cause's stack. */
export function reportError(io: Io, error: unknown): void {
  // By name, as exitCodeOf() decides: the commands that throw it are built into a file of their
  // own (dist/cli-commands.cjs), with their own copy of this module.
  const quiet = (error as { name?: unknown; quiet?: unknown } | null)?.name === 'FailedError';
  if (quiet && (error as FailedError).quiet && !io.debug) return;
  const colour = palette(io.stderr, io.env);
  io.stderr.write(`${colour.red(`${PROGRAM}:`)} ${errorLine(error)}\n`);
  if (!io.debug) return;
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const stack = current instanceof Error ? current.stack : String(current);
    io.stderr.write(`${depth === 0 ? '' : 'Caused by: '}${stack}\n`);
    current = current instanceof Error ? current.cause : undefined;
  }
}

/** A command's machine-readable result (`--json`): indented JSON and a newline. */
export function writeJson(stream: OutStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}
