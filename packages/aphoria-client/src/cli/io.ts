/**
 * What every command of `aphoria-hosted` shares: where output goes, colour, exit codes, and how
 * an error becomes one line (STYLE.md practice 12). Nothing here may import a heavy module: it
 * loads on every start, `--help` included.
 */
import { isAphoriaHostedError } from '../errors.js';
import { redactKeys } from '../redact.js';

/** The program's name; every line it prints on stderr starts with it. */
export const PROGRAM = 'aphoria-hosted';

/** The exit codes (issue 7 §4). */
export const EXIT_CODES = Object.freeze({
  /** Persisted, or spooled because StemeDB is down (the commit is not failed). */
  ok: 0,
  /** Anything unexpected: a spool that cannot be written, a bug. */
  failed: 1,
  /** A config, input or usage error (a URL that is not StemeDB included): nothing spooled for it. */
  usage: 2,
  /** StemeDB refused the key (401) or its role (403). */
  auth: 3,
  /** `--strict`, and not everything is on the server. */
  incomplete: 4,
  /** Interrupted by SIGINT: what is not acknowledged stays spooled. */
  interrupted: 130,
  /** Stopped by SIGTERM (a cancelled CI job): what is not acknowledged stays spooled. */
  terminated: 143,
});

/** The exit codes, as every `--help` ends. */
export const EXIT_CODES_HELP = `
Exit codes:
  0    persisted, or spooled because StemeDB is unreachable (sent by the next run or flush)
  1    an unexpected failure (e.g. the spool directory cannot be written)
  2    config or input error: .aphoria/config.toml, the key's env var, the scan file, a flag,
       a URL that is not StemeDB (404, or a page that is not its JSON), a spool for another URL
  3    StemeDB refused the API key (401) or its role (403)
  4    --strict, and not everything reached StemeDB (spooled or rejected)
  130  interrupted (SIGINT): what was not acknowledged stays in the spool
  143  stopped by SIGTERM: what was not acknowledged stays in the spool`;

/** A stream the CLI writes to; `isTTY` decides colour and progress. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** Where a command writes, its environment and directory; injectable for tests. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  /** Where the config search starts and relative paths are resolved (`--cwd`). */
  cwd: string;
  /** Print stack traces with errors. */
  debug: boolean;
}

/** The real process. */
export function processIo(debug: boolean): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    debug,
  };
}

/** A problem with how the CLI was called: exit 2, one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit with this code; `message` (if any) was printed already or is printed as the error. */
export class ExitWith extends Error {
  override readonly name = 'ExitWith';
  constructor(
    readonly exitCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Colour only on a terminal, unless `NO_COLOR` (any non-empty value) or `TERM=dumb`. */
export function useColour(stream: OutStream, env: Io['env']): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** Red/yellow/green/bold for `stream`, or plain text. */
export function palette(stream: OutStream, env: Io['env']) {
  const on = useColour(stream, env);
  const sgr = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), bold: sgr(1, 22) };
}

/** The exit code for an error a command threw. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ExitWith) return error.exitCode;
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (isAphoriaHostedError(error)) {
    switch (error.code) {
      case 'config_invalid':
      case 'scan_invalid':
      case 'invalid_options':
      case 'not_stemedb':
      case 'target_mismatch':
        return EXIT_CODES.usage;
      case 'auth_failed':
        return EXIT_CODES.auth;
      case 'persist_incomplete':
        return EXIT_CODES.incomplete;
      default:
        return EXIT_CODES.failed;
    }
  }
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return EXIT_CODES.interrupted;
  return EXIT_CODES.failed;
}

/** One line: newlines folded, redacted. */
export function oneLine(text: string): string {
  return redactKeys(text.replace(/\s*\n\s*/g, '; ').trim());
}

/** Prints `error` on one line (its code in brackets; stack and causes only under `--debug`). */
export function reportError(io: Io, error: unknown): void {
  const { red } = palette(io.stderr, io.env);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const tag =
    typeof code === 'string' && !(error instanceof UsageError || error instanceof ExitWith)
      ? ` [${code}]`
      : '';
  io.stderr.write(`${PROGRAM}: ${red('error')}: ${oneLine(message)}${tag}\n`);
  if (!io.debug) return;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    io.stderr.write(`${redactKeys(e.stack ?? `${e.name}: ${e.message}`)}\n`);
    e = e.cause;
    if (e instanceof Error) io.stderr.write('caused by: ');
  }
}

/** Prints a warning of the library on one line of stderr. */
export function warnLine(io: Io, message: string): void {
  const { yellow } = palette(io.stderr, io.env);
  io.stderr.write(`${PROGRAM}: ${yellow('warning')}: ${oneLine(message)}\n`);
}

/** Writes `value` as JSON on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
