/**
 * What every command of the CLI shares: where output goes, colour, exit codes, and how an
 * error becomes one line (STYLE.md practice 12). Nothing here may import a heavy module: it
 * loads on every start, `--help` included.
 */
import { EXIT_CODES, isAdminError, redactKeys } from '../errors.js';

/** The program's name; errors start with it. */
export const PROGRAM = 'stemedb-admin';

/** The exit codes, as every `--help` ends. */
export const EXIT_CODES_HELP = `
Exit codes:
    0  success: everything asked for was done, or nothing needed doing
    1  some project or check failed (the others completed), or the server or the store failed
    2  usage, input or config error (bad flag, projects file, store spec, missing admin key):
       nothing was changed
    3  the server refused the admin key (401) or its role (403), or the store its credentials
  130  provision or rotate was interrupted (Ctrl-C, SIGTERM): projects in flight finished
       (or, still waiting for the run lease, nothing was changed)`;

/** A stream the CLI writes to; `isTTY` decides colour and progress. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** Where a command reads and writes, and its environment; injectable for tests. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  /** Read by `--admin-key-stdin`. */
  stdin: AsyncIterable<string | Uint8Array>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Print stack traces with errors. */
  debug: boolean;
  /** How often progress lines are printed when stderr is not a terminal. @default 10_000 */
  progressIntervalMs?: number | undefined;
}

/** The real process. */
export function processIo(debug: boolean): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    debug,
  };
}

/** A problem with how the CLI was called: exit 2, one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit with this code without printing anything more (the command reported already). */
export class QuietExit extends Error {
  override readonly name = 'QuietExit';
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** Colour only on a terminal, unless `NO_COLOR` (any non-empty value) or `TERM=dumb`. */
export function useColour(stream: OutStream, env: Io['env']): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** Green/red/bold for `stream`, or plain text. */
export function palette(stream: OutStream, env: Io['env']) {
  const on = useColour(stream, env);
  const sgr = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), bold: sgr(1, 22) };
}

// A store's codes that mean the operator's input or config is wrong, or its credentials are.
const STORE_USAGE = new Set([
  'invalid_store_spec',
  'invalid_store_options',
  'invalid_secret_name',
  'insecure_file',
  'corrupt_store',
]);
const STORE_AUTH = new Set(['unauthenticated', 'permission_denied']);

/** The exit code for an error a command threw. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof QuietExit) return error.exitCode;
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (isAdminError(error)) return error.exitCode;
  const e = error as { name?: unknown; code?: unknown } | null;
  // Duck-typed: the store and SDK error classes are checked by name and code, not loaded here.
  if (e?.name === 'SecretStoreError' && typeof e.code === 'string') {
    if (STORE_USAGE.has(e.code)) return EXIT_CODES.usage;
    if (STORE_AUTH.has(e.code)) return EXIT_CODES.auth;
  }
  if (e?.code === 'unauthorized' || e?.code === 'forbidden') return EXIT_CODES.auth;
  if (e?.code === 'invalid_options') return EXIT_CODES.usage;
  return EXIT_CODES.failed;
}

/** Prints `error` on one line (with its stack only under `--debug`), redacted. */
export function reportError(io: Io, error: unknown): void {
  if (error instanceof QuietExit) return;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const tag = typeof code === 'string' && !(error instanceof UsageError) ? ` [${code}]` : '';
  const line = redactKeys(message.replace(/\s*\n\s*/g, '; ').trim());
  io.stderr.write(`${PROGRAM}: ${line}${tag}\n`);
  if (io.debug && error instanceof Error && error.stack !== undefined) {
    io.stderr.write(`${redactKeys(error.stack)}\n`);
  }
}

/** Writes `value` as JSON on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
