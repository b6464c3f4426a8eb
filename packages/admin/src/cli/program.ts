/**
 * The command line: every command, its options and its help. Each command's code is imported
 * only when it runs, so `--help` loads commander and nothing else (issue 8 §4: cold start under
 * 300 ms); the Secret Manager and Kubernetes clients load only with a store that needs them.
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_STORE_WRITES_PER_MINUTE } from '../stores/write-limit-default.js';
import { EXIT_CODES_HELP, exitCodeOf, type Io, PROGRAM, processIo, reportError } from './io.js';

const ioOf = (command: Command): Io => processIo(command.optsWithGlobals().debug === true);

const ADMIN_KEY_HELP = `
The admin key comes from STEMEDB_ADMIN_KEY, from stdin with --admin-key-stdin, or from the
store's stemedb-root-api-key with --admin-key-from-store; never from a flag (flags show in ps).`;

const ROOT_HELP = `
Every command is also a library function of @stemedb/admin with the same options.

Environment:
  STEMEDB_URL          the server, when --url is not given
  STEMEDB_STORE        the store spec, when --store is not given
  STEMEDB_ADMIN_KEY    the admin key (see --admin-key-stdin, --admin-key-from-store)
  GOOGLE_CLOUD_PROJECT the GCP project of --store gcp:
  NO_COLOR             any non-empty value turns colour off (colour is only used on a terminal)

Stores (--store):
  gcp:<project>        Google Secret Manager (--gcp-endpoint host:port for a local server)
  k8s:<namespace>      Kubernetes Secrets
  file:<absolute path> a local JSON file, mode 0600 (default: file:$PWD/.stemedb-admin/secrets.json)
  memory:              a throwaway in-process store
${EXIT_CODES_HELP}

Docs: README.md of @stemedb/admin.`;

interface CommonSpec {
  server?: boolean;
  adminKey?: boolean;
}

/** Adds the common options: --store, --gcp-endpoint, --json, and --url / admin key where used. */
function common(command: Command, spec: CommonSpec = {}): Command {
  if (spec.server !== false)
    command.option('--url <url>', 'StemeDB base URL (default: STEMEDB_URL)');
  command
    .option('--store <spec>', 'secret store: gcp:<project>, k8s:<namespace>, file:<path>, memory:')
    .option('--gcp-endpoint <host:port>', 'a local Secret Manager over plaintext (loopback only)')
    .option(
      '--store-writes-per-minute <n>',
      `most gcp:/k8s: store write requests a minute, retries included; 0: no limit (default: ${DEFAULT_STORE_WRITES_PER_MINUTE}, under Secret Manager's 600)`,
    )
    .option(
      '--adopt',
      'k8s: write into a Secret of the same name that stemedb-admin does not manage (no app.kubernetes.io/managed-by: stemedb-admin label)',
    )
    .option('--json', 'print the result as JSON on stdout');
  if (spec.adminKey !== false) {
    command
      .option('--admin-key-stdin', 'read the admin key from stdin')
      .option('--admin-key-from-store', "use the store's stemedb-root-api-key as the admin key");
  }
  return command;
}

const help = (text: string) => `${text}\n${EXIT_CODES_HELP}`;

const LEASE_HELP = `
One run at a time per store: the run holds a lease in the store (file: <path>.lease; gcp: the
secret stemedb-admin-lease; k8s: the Lease stemedb-admin-lease), renewed while it runs and taken
over once it expires (60 s after its holder stopped renewing, or at once when its process on this
host is gone). Another provision, rotate or revoke waits up to --lock-timeout, then exits 1
naming the holder (host, pid, since when).`;

/** Adds the options of every command that changes keys (see run-flags.ts). */
function runFlags(command: Command): Command {
  return command.option(
    '--lock-timeout <duration>',
    "how long to wait for another run's lease, e.g. 30s, 5m (default: 60s)",
  );
}

/** Adds `--grace` (provision and rotate). */
function graceFlag(command: Command): Command {
  return command.option(
    '--grace <duration>',
    'how long a replaced key stays live after its successor is stored, e.g. 30m, 2h; 0 revokes it at once (default: 2h)',
  );
}

export function buildProgram(version: string): Command {
  const program = new Command()
    .name(PROGRAM)
    .description('StemeDB key administration: root key, project keys that converge, gate checks.')
    .version(version, '-V, --version')
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .configureOutput({
      outputError: (message, write) =>
        write(
          `${message
            .trim()
            .replace(/^error: /, `${PROGRAM}: `)
            .replace(/\s*\n\s*/g, '; ')} (see --help)\n`,
        ),
    })
    .addHelpText('after', ROOT_HELP);

  common(program.command('bootstrap'), { adminKey: false })
    .description(
      'Generate the root key and store it as stemedb-root-api-key, unless one is stored.',
    )
    .option('--reveal', 'print the root key (otherwise nothing secret is printed)')
    .option(
      '--check',
      'change nothing: confirm a root key is stored and the server (--url) accepts it',
    )
    .addHelpText(
      'after',
      help(`
Idempotent: a second run (or two at once) keeps the first key. Seed the server from the secret
(STEMEDB_ROOT_API_KEY, e.g. through External Secrets). With --url, the stored key is tried on
the server's admin API.

Examples:
  ${PROGRAM} bootstrap --store gcp:my-gcp-project
  ${PROGRAM} bootstrap --store gcp:my-gcp-project --check --url https://stemedb.example.com`),
    )
    .action(async (flags, command: Command) => {
      const { runBootstrap } = await import('./run-bootstrap.js');
      await runBootstrap(flags, ioOf(command));
    });

  graceFlag(runFlags(common(program.command('provision'))))
    .description('Converge: exactly one live write_agent key per project, the one the store holds.')
    .argument(
      '[projects-file]',
      'one project name a line; blank lines and # comments are ignored (not with --plan)',
    )
    .option('--dry-run', 'print the plan and stop')
    .option('--plan-out <file>', 'with --dry-run: save the plan to apply later with --plan')
    .option(
      '--plan <file>',
      'apply exactly a saved plan; refused (exit 1) if the store changed since or is another',
    )
    .option('--concurrency <n>', 'projects worked on at once (default: 16)')
    .option('--read-concurrency <n>', 'stored keys read at once while planning (default: 64)')
    .option(
      '--max-revoke <n>',
      'the most projects whose live keys a run may revoke while the store does not hold them (default: 3)',
    )
    .option('--allow-mass-revoke', 'lift --max-revoke: this store is the right one')
    .option(
      '--prune',
      'revoke the stored projects the file no longer lists (counted against --max-revoke)',
    )
    .addHelpText(
      'after',
      help(`
Reads the server's key list once and the store, prints the plan (create, replace a stored key
the server no longer knows, revoke duplicates or orphans of the label, unchanged), then acts in
the order that never leaves a project without a working stored key: create, store, revoke.
Re-running with nothing changed changes nothing; a run after a crash repairs it. Names: lowercase
letters, digits and hyphens, at most 120, starting and ending with a letter or a digit.
${ADMIN_KEY_HELP}

--json prints { "projects": [ { "project", "action", "revoked",
                  "hashes": { "created", "stored", "retired": [], "revoked": [] } } ],
                "summary": { "created", "replaced", "unchanged", "revoked", "retired", "failed" },
                "unlisted": [] }
(action: created, replaced, unchanged or failed; a failed project also has "error"; "unlisted":
stored projects the file does not list). Hashes only, never a key.

A live key of the label the store does not hold is revoked once older than the lease (60 s;
younger, it may be another run's key in flight). The key a rotation replaced stays live for its
grace and is then retired (the plan shows "retire"). A run that would revoke live keys the store
does not hold (orphans, duplicates, every live key of a project whose stored key is not live)
for more than --max-revoke projects, --prune's counted too, stops before changing anything
(exit 1): the store is probably not this server's.
With --dry-run, the same shape plus "dryRun": true, telling what a run would do (nothing is
changed), and each project's "reason".
--dry-run --plan-out plan.json also saves the plan (hashes only; the store and server it is
for; a fingerprint of the state observed; with --prune, the off-boarding of the unlisted
projects too); --plan plan.json applies exactly it, and refuses
(exit 1, nothing changed) if any project changed since or the store or server differ; a file
that is not such a plan (bad JSON, another version, an edited decision) is exit 2.
The first Ctrl-C or SIGTERM finishes the projects in flight, starts no new one, reports and
exits 130; a second exits at once. Progress: a bar on a terminal, else a line every 10 s.
${LEASE_HELP}

Examples:
  ${PROGRAM} provision projects.txt --store gcp:my-gcp-project --url https://stemedb.example.com --dry-run
  ${PROGRAM} provision projects.txt --store gcp:my-gcp-project --url https://stemedb.example.com --admin-key-from-store --json
  gcloud secrets versions access latest --secret=stemedb-root-api-key | ${PROGRAM} provision projects.txt --store k8s:stemedb --admin-key-stdin
  ${PROGRAM} provision projects.txt --store gcp:my-gcp-project --admin-key-from-store --dry-run --plan-out plan.json
  ${PROGRAM} provision --plan plan.json --store gcp:my-gcp-project --admin-key-from-store`),
    )
    .action(async (file: string | undefined, flags, command: Command) => {
      const { runProvision } = await import('./run-provision.js');
      await runProvision(file, flags, ioOf(command));
    });

  graceFlag(runFlags(common(program.command('rotate'))))
    .description('Give a project (or --all) a new key: create, store, then revoke the old ones.')
    .argument('[project]', 'the project to rotate')
    .option('--all', 'every project with a stored stemedb-key-<project>')
    .option('--concurrency <n>', 'projects worked on at once (default: 16)')
    .option(
      '--max-revoke <n>',
      'the most projects whose live keys a run may revoke while the store does not hold them (default: 3)',
    )
    .option('--allow-mass-revoke', 'lift --max-revoke: this store is the right one')
    .addHelpText(
      'after',
      help(`
--json prints the same shape as provision (every rotated project: action "replaced").
The new key is stored at once; the old one stays live for --grace (default 2h: External
Secrets refreshes hourly) and the next provision or rotate after it retires it; --grace 0
revokes it once the new key is stored. Any older key of the label is revoked first: a run that
would so revoke live keys the store does not hold for more than --max-revoke projects stops
before changing anything (exit 1). --all skips projects off-boarded with revoke --keep-secret.
${LEASE_HELP}
${ADMIN_KEY_HELP}

Examples:
  ${PROGRAM} rotate billing --store gcp:my-gcp-project --url https://stemedb.example.com
  ${PROGRAM} rotate --all --store gcp:my-gcp-project --url https://stemedb.example.com`),
    )
    .action(async (project: string | undefined, flags, command: Command) => {
      const { runRotate } = await import('./run-keys.js');
      await runRotate(project, flags, ioOf(command));
    });

  runFlags(common(program.command('revoke')))
    .description("Revoke every live key of a project's label, then delete its stored secret.")
    .argument('<project>', 'the project to off-board')
    .option('--keep-secret', 'revoke on the server only; keep stemedb-key-<project>')
    .addHelpText(
      'after',
      help(`
--json prints { "project", "revoked", "secretDeleted" }. --keep-secret also marks the project
off-boarded (stemedb-offboarded-<project>): rotate --all skips it, provision does not report it.
${LEASE_HELP}
${ADMIN_KEY_HELP}

Example:
  ${PROGRAM} revoke old-project --store gcp:my-gcp-project --url https://stemedb.example.com`),
    )
    .action(async (project: string, flags, command: Command) => {
      const { runRevoke } = await import('./run-keys.js');
      await runRevoke(project, flags, ioOf(command));
    });

  common(program.command('list'))
    .description(
      "List the server's keys and whether the store holds each; stored keys that are dead.",
    )
    .option('--all', 'include revoked keys')
    .addHelpText(
      'after',
      help(`
A key is "stored" when the latest version of its secret (stemedb-key-<project> for
project-<project>, stemedb-root-api-key for the root key) hashes to it (SHA-256, the server's
key id). --json prints { "keys": [ { "label", "role", "created", "revoked", "hash", "secret",
"stored" } ], "secrets": [ { "secret", "live" } ] }. No key is ever printed.
${ADMIN_KEY_HELP}

Example:
  ${PROGRAM} list --store gcp:my-gcp-project --url https://stemedb.example.com`),
    )
    .action(async (flags, command: Command) => {
      const { runList } = await import('./run-keys.js');
      await runList(flags, ioOf(command));
    });

  common(program.command('onboard'), { adminKey: false })
    .description(
      'Print what a project needs: the .aphoria/config.toml [hosted] snippet, the CI variable, how to fetch its key.',
    )
    .argument('<project>', 'the project')
    .option('--reveal', 'print the key too')
    .addHelpText(
      'after',
      help(`
--url is the public URL the project writes to. Needs no admin key: it reads the store only.
--json prints { "project", "secret", "config", "ciVariable", "fetchCommand", "stored" }
(and "key" with --reveal).

Example:
  ${PROGRAM} onboard billing --store gcp:my-gcp-project --url https://stemedb.example.com`),
    )
    .action(async (project: string, flags, command: Command) => {
      const { runOnboard } = await import('./run-onboard.js');
      await runOnboard(project, flags, ioOf(command));
    });

  program
    .command('gate')
    .description("Run the roadmap's gate tests against --url and print a pass/fail table.")
    .argument('<phase>', 'phase1, phase2, phase3 or all')
    .option('--url <url>', 'StemeDB base URL (default: STEMEDB_URL)')
    .option('--json', 'print the checks as JSON: [ { "phase", "check", "ok", "detail" } ]')
    .option('--store <spec>', 'where the admin key is, with --admin-key-from-store')
    .option('--gcp-endpoint <host:port>', 'a local Secret Manager over plaintext (loopback only)')
    .option('--admin-key-stdin', 'read the admin key from stdin')
    .option('--admin-key-from-store', "use the store's stemedb-root-api-key as the admin key")
    .option(
      '--restart-cmd <command>',
      'phase1: restart the server with this shell command, then check the root key still works',
    )
    .option(
      '--restart-timeout <seconds>',
      'phase1: how long the restart command may run (default: 300)',
    )
    .option(
      '--projects <n>',
      'phase3: projects provisioned for the test, then revoked (default: 5)',
    )
    .option(
      '--rate-limit-requests <n>',
      'phase3: requests to drive one key past its rate limit (default: 3000)',
    )
    .option(
      '--prometheus-url <url>',
      'phase2: the Prometheus that scrapes StemeDB (required for phase2; all runs phase2 with it)',
    )
    .option('--alertmanager-url <url>', 'phase2: the kill test also waits for the alert here')
    .option(
      '--stop-cmd <command>',
      'phase2: stop StemeDB with this shell command for the kill test (with --start-cmd)',
    )
    .option(
      '--start-cmd <command>',
      'phase2: start StemeDB again (always run after the stop, even on failure or Ctrl-C)',
    )
    .option(
      '--backup-remote <remote:path>',
      "phase2: the backups' rclone remote, listed with rclone lsjson (default: ask Prometheus for Longhorn's backup metrics)",
    )
    .addHelpText(
      'after',
      help(`
Phase 1: health is 200; an unauthenticated write is 401; an authenticated write is 200/201;
with --restart-cmd, the root key still works after the restart, and so does a write_agent key
made just before it (revoked after), since a server that keeps no key across restarts leaves
every stored project key dead.
Phase 3: N projects get keys (in a throwaway in-memory store; revoked at the end) and write at
once with their own keys; each sees exactly its own writes under its subject prefix; one is
driven past its rate limit (429) while the others keep succeeding; a project key gets 403 on the
admin routes.
Phase 2 (--prometheus-url): StemeDB's scrape target is up; every alert of the bundle is loaded
and healthy; with --stop-cmd and --start-cmd, StemeDBPodNotRunning fires after the stop (within
its for + the scrape and evaluation intervals), reaches --alertmanager-url if given, and resolves
after the start; the newest backup is complete and younger than 12h (--backup-remote, or
Longhorn's metrics). Exit 0 only when every check passes; 130 when interrupted.
${ADMIN_KEY_HELP}

Examples:
  ${PROGRAM} gate phase1 --url https://stemedb.example.com \\
    --restart-cmd "kubectl rollout restart deployment/stemedb-api -n stemedb && kubectl rollout status deployment/stemedb-api -n stemedb --timeout=120s"
  ${PROGRAM} gate phase2 --url http://localhost:18180 --prometheus-url http://localhost:9090 \\
    --alertmanager-url http://localhost:9093 --backup-remote gcs:stemedb-backups \\
    --stop-cmd "kubectl -n stemedb scale deployment/stemedb-api --replicas=0" \\
    --start-cmd "kubectl -n stemedb scale deployment/stemedb-api --replicas=1"
  ${PROGRAM} gate all --url https://stemedb.example.com --json`),
    )
    .action(async (phase: string, flags, command: Command) => {
      const { runGate } = await import('./run-gate.js');
      await runGate(phase, flags, ioOf(command));
    });

  return program;
}

/** Runs the CLI on `argv` (process.argv's shape) and returns the exit code. */
export async function main(argv: readonly string[], version: string): Promise<number> {
  const program = buildProgram(version);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    // Commander printed its own message (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const debug = program.opts().debug === true || argv.includes('--debug');
    const io = processIo(debug);
    reportError(io, error);
    return exitCodeOf(error);
  }
}
