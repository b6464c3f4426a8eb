/**
 * The command line: every command, its options and its help. Each command's code is imported
 * only when it runs, so `--help` loads commander and nothing else; the SDK, zod and the spool
 * load only with a command that needs them.
 */
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  EXIT_CODES,
  EXIT_CODES_HELP,
  exitCodeOf,
  type Io,
  PROGRAM,
  processIo,
  reportError,
} from './io.js';

const ROOT_HELP = `
Config: .aphoria/config.toml, found upward from the current directory (or --cwd):
  [hosted]
  url = "https://stemedb.<domain>"
  api_key_env = "STEMEDB_API_KEY"   # the default; the key itself only ever lives in the env

Environment:
  STEMEDB_API_KEY   the project's key (or the variable [hosted] api_key_env names); never printed
  STEMEDB_URL       replaces [hosted] url when set
  NO_COLOR          any non-empty value turns colour off (colour is only used on a terminal)
  CI                set (not false/0): a run that leaves anything spooled warns that the runner's
                    disk takes it along unless .aphoria/spool/ is cached or flushed later

A progress bar is drawn on stderr when it is a terminal, never in a pipe or a CI log.
${EXIT_CODES_HELP}

Docs: README.md of @stemedb/aphoria-client.`;

const help = (text: string) => `${text}\n${EXIT_CODES_HELP}`;

/** The I/O of a command, with --cwd and --debug applied. */
function ioOf(command: Command): Io {
  const flags = command.optsWithGlobals() as { debug?: boolean; cwd?: string };
  const io = processIo(flags.debug === true);
  return flags.cwd === undefined ? io : { ...io, cwd: resolve(io.cwd, flags.cwd) };
}

/** Adds --cwd and --json. */
function common(command: Command, json: string): Command {
  return command
    .option('--cwd <dir>', 'run as if started in <dir>: the config is searched upward from it')
    .option('--json', json);
}

/** Adds --strict and --concurrency. */
function sending(command: Command): Command {
  return command
    .option(
      '--strict',
      'exit 4 unless every assertion reached StemeDB (default: spooling is success)',
    )
    .option('--concurrency <n>', 'assertions in flight at once (default: 8, at most 256)')
    .option(
      '--timeout <duration>',
      "the run's deadline, e.g. 20s, 10m (default: 10m): what is not sent by then stays spooled (exit 0, or 4 with --strict)",
    );
}

export function buildProgram(version: string): Command {
  const program = new Command()
    .name(PROGRAM)
    .description(
      'Persist Aphoria scans to the hosted StemeDB: rides out restarts, spools through outages, never stores a finding twice.',
    )
    .version(version, '-V, --version')
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .configureOutput({
      outputError: (message, write) =>
        write(
          `${message
            .trim()
            .replace(/^error: /, `${PROGRAM}: error: `)
            .replace(/\s*\n\s*/g, '; ')
            .trim()} (see --help)\n`,
        ),
    })
    .addHelpText('after', ROOT_HELP);

  sending(
    common(
      program.command('persist'),
      'print the result as JSON: { scanId, total, sent, alreadyPresent, spooled, rejected, rejections, complete, spoolDir, durationMs, warnings, flushed }',
    ),
  )
    .description("Send a scan's findings to StemeDB, exactly once; spool them if it is down.")
    .argument('<scan.json>', 'an aphoria.scan/v1 file or a SARIF 2.1.0 log (relative to --cwd)')
    .option('--format <format>', 'sarif or aphoria (default: told by the content)')
    .option('--project <name>', 'SARIF: the project (default: [hosted] project)')
    .option(
      '--commit <sha>',
      "SARIF: the commit (default: the log's, else the git work tree's HEAD)",
    )
    .option('--branch <name>', "SARIF: the branch (default: the log's, else the git work tree's)")
    .option(
      '--include-snippets',
      'SARIF: store each region snippet too (off: a snippet can be a secret)',
    )
    .addHelpText(
      'after',
      help(`
Sends what earlier runs left in the spool first, then the scan. A restart of StemeDB
(502/503/refused for up to ~14 s) is ridden out by retries (2 s, 4 s, 8 s). If StemeDB stays
down, the rest is spooled in .aphoria/spool/ and the command still exits 0 with a warning
(unless --strict); the next persist or flush sends it. Persisting the same scan again stores
nothing twice. A 401/403 fails at once (exit 3) and spools nothing.

Examples:
  ${PROGRAM} persist scan.json
  ${PROGRAM} persist --strict --json build/aphoria-scan.json
  ${PROGRAM} persist --project web eslint.sarif`),
    )
    .action(async (file: string, flags, command: Command) => {
      const { runPersist } = await import('./run-persist.js');
      await runPersist(file, flags, ioOf(command));
    });

  sending(
    common(
      program.command('flush'),
      'print the result as JSON: { spoolDir, scans, completed, locked, discarded, incomplete, corrupt, reachable, sent, alreadyPresent, spooled, rejected, rejections, durationMs, warnings }',
    ),
  )
    .option(
      '--to <url>',
      'send the spool to this StemeDB URL, journals written for another server included (each journal records the server it was written for; a flush refuses to send one elsewhere without --to)',
    )
    .description('Send what earlier runs left in the spool, oldest scan first, exactly once.')
    .addHelpText(
      'after',
      help(`
What the server already holds of a spooled scan is read back first and never resent. If
StemeDB is still down, the spool is kept and the command exits 0 with a warning (unless
--strict). Safe to run while another run persists: each scan is locked while it is sent.

Example:
  ${PROGRAM} flush --json`),
    )
    .action(async (flags, command: Command) => {
      const { runFlush } = await import('./run-flush.js');
      await runFlush(flags, ioOf(command));
    });

  common(
    program.command('history'),
    'print { project, branch, scanId, previousScanId, findings: [{ fingerprint, state, finding, scanId, previousScanId }] }',
  )
    .description(
      "Say for each finding of a branch whether it is new, open, fixed or reintroduced, against the branch's previous complete scan.",
    )
    .requiredOption('--branch <name>', 'the branch')
    .option('--project <name>', 'the project (default: [hosted] project)')
    .addHelpText(
      'after',
      help(`
Reads only: the branch's scans whose summary is stored, the latest (by finished_at) against
the one before it. A finding in an older scan but not the previous one is reintroduced.

Example:
  ${PROGRAM} history --project web --branch main --json`),
    )
    .action(async (flags, command: Command) => {
      const { runHistory } = await import('./run-history.js');
      await runHistory(flags, ioOf(command));
    });

  common(
    program.command('diff'),
    'print { project, branch, scanId, baseScanId, new: [finding…], fixed: [finding…] }',
  )
    .description(
      'The findings new on a branch and those fixed, against the latest complete scan of a base branch or commit.',
    )
    .requiredOption('--branch <name>', 'the branch')
    .option('--base <branch>', 'compare with the latest complete scan of this branch')
    .option(
      '--base-commit <sha>',
      'compare with the latest complete scan of this commit (its id, or 7+ hex characters of it)',
    )
    .option('--project <name>', 'the project (default: [hosted] project)')
    .option('--sarif <file>', 'also write the new findings as a SARIF 2.1.0 log')
    .option(
      '--fail-on <severity>',
      'exit 1 when a new finding is at or above info, low, medium, high or critical',
    )
    .addHelpText(
      'after',
      help(`
Reads only. A finding is matched by its fingerprint. Exit 1 with --fail-on when a new finding
is at or above that severity: a quality gate on new code.

Example:
  ${PROGRAM} diff --branch feature/x --base main --fail-on high --sarif new.sarif`),
    )
    .action(async (flags, command: Command) => {
      const { runDiff } = await import('./run-diff.js');
      await runDiff(flags, ioOf(command));
    });

  common(
    program.command('status'),
    'print the report as JSON: { config, url, key: { env, present }, server, spool, warnings }',
  )
    .description(
      'Show the config (and where it is), whether the key is set (never shown), whether StemeDB is reachable and accepts it, and what waits in the spool.',
    )
    .addHelpText(
      'after',
      help(`
Changes nothing. Exits 0 when the config is valid, even if StemeDB is unreachable (persist
would spool); 2 when the config or the key's env var is wrong; 3 when StemeDB refuses the key.
Warns when the spool directory is inside a git work tree and git would not ignore it.

Example:
  ${PROGRAM} status --cwd path/to/repo`),
    )
    .action(async (flags, command: Command) => {
      const { runStatus } = await import('./run-status.js');
      await runStatus(flags, ioOf(command));
    });

  return program;
}

/** Runs the CLI on `argv` (process.argv's shape) and returns the exit code. */
export async function main(argv: readonly string[], version: string): Promise<number> {
  const program = buildProgram(version);
  try {
    await program.parseAsync([...argv]);
    return EXIT_CODES.ok;
  } catch (error) {
    // Commander printed its own message (or the help) already.
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const debug = program.opts().debug === true || argv.includes('--debug');
    reportError(processIo(debug), error);
    return exitCodeOf(error);
  }
}
