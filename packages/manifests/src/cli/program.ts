/**
 * The command line: every command, its options and its help. The commands' code is imported
 * when a command runs, so `--help` loads nothing but commander, and only `apply` and `diff`
 * load @kubernetes/client-node: a cold `render` stays fast (its budget is in bench/README.md).
 */
import { Command, CommanderError, Option } from 'commander';
import { requireBuilt } from '../shared/code-cache.js';
import {
  EXIT_CODES_HELP,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeOf,
  type Io,
  oneLine,
  PROGRAM,
  processIo,
  reportError,
  UsageError,
} from './io.js';

declare const __STEMEDB_CLI_BUNDLE__: boolean | undefined;

type Commands = typeof import('./commands.js');

/**
 * The commands' code (commands.ts), loaded when command `name` runs. The build carries it in
 * dist/cli-commands.cjs, beside this file's dist/cli.cjs, loaded with a code cache per command
 * (launch.ts): a cache holds the functions the run that wrote it compiled, and `validate` run
 * first would otherwise leave `render` a cache without yaml's writer. From source it is imported.
 */
function commands(name: string): Promise<Commands> {
  return typeof __STEMEDB_CLI_BUNDLE__ !== 'undefined' && __STEMEDB_CLI_BUNDLE__
    ? Promise.resolve(requireBuilt('./cli-commands.cjs', __filename, name) as Commands)
    : import('./commands.js');
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const ioOf = (command: Command): Io => processIo(command.optsWithGlobals().debug === true);

const CONFIG_HELP =
  'deployment config, YAML or JSON (by extension); without it only the defaults, which lack ingress.host and image.tag';

const CONFIG_ARG_HELP = 'the deployment config (the same as --config)';

const SET_HELP =
  'override a config value, path=value (repeatable, applied in order over the file, validated with it), as helm template --set: e.g. --set image.tag=0.9.1';

/** The config given positionally or with -c/--config (both only when they agree). */
function withConfig<T extends { config?: string }>(positional: string | undefined, flags: T): T {
  if (positional !== undefined && flags.config !== undefined && positional !== flags.config) {
    throw new UsageError(`two configs given: ${positional} and --config ${flags.config}; give one`);
  }
  return { ...flags, config: positional ?? flags.config };
}

/** The config argument and the options every building command takes to read it. */
function configOptions(command: Command): Command {
  return command
    .argument('[config]', CONFIG_ARG_HELP)
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--set <path=value>', SET_HELP, collect, []);
}

const ROOT_HELP = `
Commands that build (render, validate, apply, diff) start from one config: the defaults plus
--config FILE. Every command validates before it writes or applies anything, and prints one
aggregated report: errors fail, warnings do not.

Environment:
  NO_COLOR    any non-empty value turns colour off (colour is only used on a terminal)
  KUBECONFIG  the kubeconfig of apply and diff, as for kubectl
${EXIT_CODES_HELP}

Docs: README.md of @stemedb/manifests (section CLI) and docs/alerts-and-cluster.md.`;

/** Options shared by apply and diff. */
function clusterOptions(command: Command): Command {
  return configOptions(command)
    .option('--kubeconfig <file>', 'kubeconfig to use instead of KUBECONFIG or ~/.kube/config')
    .option('--context <name>', "kubeconfig context to use instead of the file's current one")
    .option(
      '--field-manager <name>',
      'server-side apply field manager (default: stemedb-manifests)',
    )
    .option(
      '--force-conflicts',
      'take over fields another field manager owns instead of failing with a 409 conflict',
    )
    .option('--request-timeout <seconds>', 'timeout of each API request (default: 30)')
    .option(
      '--allow-volume-change',
      "go ahead when the server's Deployment would mount other claims than the live one (refused otherwise: the new claims may not hold its data)",
    )
    .option(
      '--prune',
      'delete (diff: show) the objects an earlier apply made that the config no longer renders, found by their ApplySet label; a PersistentVolumeClaim only with --allow-volume-change',
    )
    .option('--json', 'print the report and the results as JSON on stdout');
}

export function buildProgram(version: string): Command {
  const program = new Command()
    .name(PROGRAM)
    .description(
      "StemeDB's Kubernetes deployment: init, render, validate, lint, diff and apply it.",
    )
    .version(version, '-V, --version')
    .option('--debug', 'print stack traces with errors')
    // Usage errors exit 2, not commander's 1 (inherited by the commands defined below).
    .exitOverride()
    .configureOutput({
      // One line, as every other error: commander puts its "Did you mean" on a second one.
      outputError: (message, write) =>
        write(`${oneLine(message.replace(/^error: /, `${PROGRAM}: `))} (see --help)\n`),
    })
    .addHelpText('after', ROOT_HELP);

  configOptions(
    program
      .command('render')
      .description(
        'Build every object from the config, validate them, and write them (only without errors).',
      ),
  )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['yaml', 'json', 'kustomize', 'prometheus-rules'])
        .default('yaml'),
    )
    .option(
      '-o, --out <path>',
      'file for yaml and json (default: stdout), directory for kustomize (required)',
    )
    .option('--json', 'print the validation report as JSON on stderr, even when it is clean')
    .option(
      '--restore-from <backup>',
      'render the objects that restore this backup instead of the bundle (docs/restore.md). backup.method longhorn: [CLAIM=]URL, a Longhorn backup URL per volume (repeatable), for a StorageClass and a PVC each; rclone: one DB copy (STAMP or gcs:BUCKET/db/STAMP), for the Job that copies it back',
      collect,
      [],
    )
    .option(
      '--restore-swap <[claim=]volume>',
      "render the claim swap instead of the bundle: a PersistentVolume for this Longhorn volume (the restore PVC's spec.volumeName) and the server's PVC bound to it (repeatable: CLAIM=VOLUME per claim)",
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
The report goes to stderr (stdout may be the manifests); it is printed when it has findings.
With errors, nothing is written. yaml is a multi-document stream, json a v1 List, kustomize a
directory with one file per object and a kustomization.yaml.

--restore-from and --restore-swap write only the objects of one restore step
(docs/restore.md), validated beside the bundle they join; they are not given together.

Examples:
  ${PROGRAM} render --config stemedb.yaml > stemedb.k8s.yaml
  ${PROGRAM} render --config stemedb.yaml --format kustomize --out deploy/stemedb
  ${PROGRAM} render --config stemedb.yaml --restore-from 'stemedb-db=s3://…?backup=…&volume=…' \\
    --restore-from 'stemedb-wal=s3://…?backup=…&volume=…' > restore.yaml
  ${PROGRAM} render --config stemedb.yaml --restore-swap "stemedb-db=$NEW_DB" \\
    --restore-swap "stemedb-wal=$NEW_WAL" > swap.yaml
  ${PROGRAM} render --config stemedb.yaml --restore-from 20261202T060000Z > restore-job.yaml   # rclone
${EXIT_CODES_HELP}`,
    )
    .action(async (config: string | undefined, flags, command: Command) => {
      const { runRender } = await commands('render');
      await runRender(withConfig(config, flags), ioOf(command));
    });

  configOptions(
    program
      .command('validate')
      .description('Build every object from the config and validate them; write nothing.'),
  )
    .option('--json', 'print the report as JSON: { ok, errors, warnings, findings }')
    .option('--list-rules', 'list every rule (id, severity, what it checks) and exit')
    .addHelpText(
      'after',
      `
Each finding names the object, the field path, the rule id, the problem and the fix.

Examples:
  ${PROGRAM} validate --config stemedb.yaml
  ${PROGRAM} validate --config stemedb.yaml --json | jq '.findings[] | select(.severity == "error")'
${EXIT_CODES_HELP}`,
    )
    .action(async (config: string | undefined, flags, command: Command) => {
      const { runValidate } = await commands('validate');
      await runValidate(withConfig(config, flags), ioOf(command));
    });

  program
    .command('lint')
    .description('Validate existing manifests: YAML or JSON files, directories, kustomize dirs.')
    .argument(
      '[paths...]',
      'files (multi-document YAML, JSON, v1 List), directories, or - for stdin',
    )
    .option('--json', 'print the report as JSON: { ok, errors, warnings, findings }')
    .option(
      '--existing-secret <namespace/name>',
      'a Secret the cluster already has (repeatable); not reported as missing',
      collect,
      [],
    )
    .option(
      '--existing-claim <namespace/name>',
      'a PersistentVolumeClaim the cluster already has (repeatable), as storage.volumes.existingClaim declares one; a pod may mount it without the manifests emitting it',
      collect,
      [],
    )
    .option(
      '--ingress-namespace <namespace>',
      "namespace of the ingress controller; NetworkPolicies must admit it (k3s's Traefik: kube-system)",
    )
    .option(
      '--prometheus-namespace <namespace>',
      'namespace of Prometheus; NetworkPolicies must admit its scrapes',
    )
    .option('--list-rules', 'list every rule (id, severity, what it checks) and exit')
    .addHelpText(
      'after',
      `
A directory's *.yaml, *.yml and *.json files are read (not its subdirectories). In a kustomize
directory, kustomization.yaml's resources are checked against the files there too.

Examples:
  ${PROGRAM} lint stemedb.yaml
  ${PROGRAM} lint deploy/stemedb --ingress-namespace kube-system --prometheus-namespace monitoring
${EXIT_CODES_HELP}`,
    )
    .action(async (paths: string[], flags, command: Command) => {
      const { runLint } = await commands('lint');
      await runLint(paths, flags, ioOf(command));
    });

  program
    .command('init')
    .description('Write a commented starter stemedb.yaml and the config schema beside it.')
    .option('-o, --out <file>', 'where to write the config (default: ./stemedb.yaml)')
    .option('--no-schema', 'do not write stemedb.schema.json nor point the config at it')
    .option('--force', 'overwrite an existing config file')
    .addHelpText(
      'after',
      `
The starter holds placeholders for the two values with no default (image.tag, ingress.host):
validate and render refuse it until they are filled in. Its first line points editors with the
YAML language server at stemedb.schema.json, written beside it (always regenerated).

Examples:
  ${PROGRAM} init
  ${PROGRAM} init --out deploy/stemedb.yaml
${EXIT_CODES_HELP}`,
    )
    .action(async (flags, command: Command) => {
      const { runInit } = await commands('init');
      await runInit(flags, ioOf(command));
    });

  program
    .command('schema')
    .description('Print the JSON Schema of the config (for editors and CI).')
    .option('-o, --out <file>', 'write it to a file instead of stdout')
    .addHelpText(
      'after',
      `
Generated from the same zod schema the commands parse with. It checks shape, types, names and
the pins; the few checks that compare separate sections are made by validate only.
In stemedb.yaml:
  # yaml-language-server: $schema=./stemedb.schema.json

Examples:
  ${PROGRAM} schema --out stemedb.schema.json
  ${PROGRAM} schema | jq '.properties | keys'
${EXIT_CODES_HELP}`,
    )
    .action(async (flags, command: Command) => {
      const { runSchema } = await commands('schema');
      await runSchema(flags, ioOf(command));
    });

  clusterOptions(
    program
      .command('apply')
      .description(
        'Validate, then server-side apply every object in dependency order (refused with errors).',
      )
      .option('--dry-run', 'server-side dry run (dryRun=All): every check, nothing persisted'),
  )
    .addHelpText(
      'after',
      `
Objects are applied one by one in dependency order as field manager stemedb-manifests; the
first failure stops the run and names the object. Progress is shown on a terminal only; each
applied object is printed on stdout.

Every object but the Namespace is labelled applyset.kubernetes.io/part-of with the id of an
ApplySet whose parent is the Secret stemedb-applyset in the config's namespace (kubectl's
ApplySet). Without --prune nothing is deleted: an object the config no longer renders stays,
still labelled, until an apply --prune. With --prune it is deleted after everything else is
applied; a PersistentVolumeClaim is refused (exit 2) unless --allow-volume-change.

Examples:
  ${PROGRAM} apply --config stemedb.yaml --dry-run
  ${PROGRAM} apply --config stemedb.yaml --context k3s-prod
  ${PROGRAM} diff stemedb.yaml --prune && ${PROGRAM} apply stemedb.yaml --prune
${EXIT_CODES_HELP}`,
    )
    .action(async (config: string | undefined, flags, command: Command) => {
      const { runApply } = await commands('apply');
      await runApply({ ...withConfig(config, flags), version }, ioOf(command));
    });

  clusterOptions(
    program
      .command('diff')
      .description('Validate, then show what apply would change, as the server computes it.'),
  )
    .addHelpText(
      'after',
      `
Each object is server-side applied with dryRun=All and compared with the live object; only
field paths are printed, never values. With --prune, the objects apply --prune would delete
are listed too (delete). Exits 1 when apply would change something (create, update or
delete), 0 when nothing would change, as kubectl diff does; 1 also when diff itself fails.

Examples:
  ${PROGRAM} diff --config stemedb.yaml
  ${PROGRAM} diff --config stemedb.yaml --json | jq '.results[] | select(.action != "unchanged")'
${EXIT_CODES_HELP}`,
    )
    .action(async (config: string | undefined, flags, command: Command) => {
      const { runDiff } = await commands('diff');
      await runDiff({ ...withConfig(config, flags), version }, ioOf(command));
    });

  return program;
}

/** Runs the CLI on `argv` (process.argv's shape) and returns the exit code. */
export async function main(argv: readonly string[], version: string): Promise<number> {
  const program = buildProgram(version);
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    // Commander printed its own message (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const debug = program.opts().debug === true || argv.includes('--debug');
    reportError(processIo(debug), error);
    return exitCodeOf(error);
  }
}
