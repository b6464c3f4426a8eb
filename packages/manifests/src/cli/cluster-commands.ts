/**
 * `apply` and `diff`: build and validate like `render` (errors refuse the run), then talk to
 * the cluster through src/cluster/. That module loads @kubernetes/client-node, which costs
 * hundreds of milliseconds, so it is imported here, inside the command, and nowhere on the
 * path of `render`, `validate` or `lint`.
 */
import { buildBundle } from '../bundle.js';
import type { KubeObject } from '../types.js';
import { validate } from '../validate/index.js';
import { loadCliConfig, validateOptionsFor } from './config.js';
import { FailedError, type Io, oneLine, palette, UsageError, writeJson } from './io.js';
import { failedReport, printReport, type Report } from './report.js';

export interface ClusterFlags {
  config?: string;
  /** `--set path=value` overrides, in order. */
  set?: string[];
  json?: boolean;
  kubeconfig?: string;
  context?: string;
  fieldManager?: string;
  forceConflicts?: boolean;
  requestTimeout?: string;
  allowVolumeChange?: boolean;
  /** Delete (diff: show) what this tool applied before and no longer renders. */
  prune?: boolean;
  /** The CLI's version, for the ApplySet's tooling annotation. */
  version?: string;
}

export interface ApplyFlags extends ClusterFlags {
  dryRun?: boolean;
}

/** The bundle, validated; the report goes to stderr (stdout is for the results). */
async function checkedBundle(
  flags: ClusterFlags,
  io: Io,
  what: string,
): Promise<{ objects: KubeObject[]; report: Report; namespace: string }> {
  const timeout = flags.requestTimeout;
  if (timeout !== undefined && !/^[1-9]\d*$/.test(timeout)) {
    throw new UsageError(`--request-timeout must be a whole number of seconds, not "${timeout}"`);
  }
  const manager = flags.fieldManager;
  if (manager !== undefined && (manager.length === 0 || manager.length > 128)) {
    throw new UsageError('--field-manager must be 1 to 128 characters long');
  }
  const config = await loadCliConfig(flags.config, flags.set);
  const objects = buildBundle(config);
  const report = validate(objects, validateOptionsFor(config, objects, false));
  if (report.findings.length > 0 && !flags.json) printReport(io, io.stderr, report, false);
  if (!report.ok) {
    if (flags.json) writeJson(io.stdout, { ok: false, report, results: [] });
    throw failedReport(report, `refusing to ${what}`);
  }
  return { objects, report, namespace: config.namespace };
}

/**
 * What applyObjects and diffObjects share, from the flags. The CLI always keeps the ApplySet
 * (a Secret in the instance's namespace), with or without --prune: an object applied by a
 * plain apply is then one a later `apply --prune` can find.
 */
async function clusterOptions(flags: ClusterFlags, namespace: string) {
  const { loadKubeConfig } = await import('../cluster/kubeconfig.js');
  return {
    kubeConfig: loadKubeConfig({
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context ? { context: flags.context } : {}),
    }),
    ...(flags.fieldManager ? { fieldManager: flags.fieldManager } : {}),
    force: flags.forceConflicts === true,
    allowVolumeChange: flags.allowVolumeChange === true,
    applySet: { namespace, tooling: `stemedb-manifests/v${flags.version ?? '0'}` },
    prune: flags.prune === true,
    ...(flags.requestTimeout ? { timeoutMs: Number(flags.requestTimeout) * 1000 } : {}),
  };
}

/** A ClusterError as the CLI reports it: one line, plus (for JSON) what had been done. */
function clusterFailure(error: unknown, io: Io, json: boolean, report: Report): never {
  const e = error as { name?: string; code?: string; message?: string; applied?: unknown[] };
  if (e?.name !== 'ClusterError') throw error;
  const applied = (e.applied ?? []) as { ref: string; action: string; dryRun: boolean }[];
  if (json) {
    writeJson(io.stdout, {
      ok: false,
      report,
      results: applied.map(({ ref, action, dryRun }) => ({ ref, action, dryRun })),
      error: { code: e.code, message: oneLine(e.message ?? '') },
    });
  }
  const before = applied.length > 0 ? ` (${applied.length} applied before it)` : '';
  // no-kubeconfig and prune-volume keep their name so that they exit 2 (io.ts); the rest exit 1.
  if (e.code === 'cluster/no-kubeconfig' || e.code === 'cluster/prune-volume') throw error;
  throw new FailedError(`${oneLine(e.message ?? '')}${before}`, { cause: error });
}

export async function runApply(flags: ApplyFlags, io: Io): Promise<void> {
  const { objects, report, namespace } = await checkedBundle(flags, io, 'apply');
  const [{ applyObjects }, options] = await Promise.all([
    import('../cluster/apply.js'),
    clusterOptions(flags, namespace).catch((error: unknown) =>
      clusterFailure(error, io, !!flags.json, report),
    ),
  ]);
  const c = palette(io.stdout, io.env);
  // Progress only on a terminal: one line, rewritten, cleared when done.
  const progress = io.stderr.isTTY === true && !flags.json;
  let results: Awaited<ReturnType<typeof applyObjects>>;
  try {
    results = await applyObjects(objects, {
      ...options,
      dryRun: flags.dryRun === true,
      onProgress: (event) => {
        if (progress && event.phase !== 'applied') {
          io.stderr.write(
            `\r\u001b[K[${event.index + 1}/${event.total}] ${event.phase} ${event.ref}`,
          );
        }
        if (event.phase === 'applied' && event.result && !flags.json) {
          if (progress) io.stderr.write('\r\u001b[K');
          const done = event.result.action;
          const action =
            done === 'created' ? c.green(done) : done === 'pruned' ? c.red(done) : done;
          const dry = event.result.dryRun ? ' (server dry run)' : '';
          io.stdout.write(`${action} ${event.ref}${dry}\n`);
        }
      },
    });
  } catch (error) {
    if (progress) io.stderr.write('\r\u001b[K');
    clusterFailure(error, io, !!flags.json, report);
  }
  if (flags.json) {
    writeJson(io.stdout, {
      ok: true,
      report,
      results: results.map(({ ref, action, dryRun }) => ({ ref, action, dryRun })),
    });
  }
}

export async function runDiff(flags: ClusterFlags, io: Io): Promise<void> {
  const { objects, report, namespace } = await checkedBundle(flags, io, 'diff');
  const [{ diffObjects }, options] = await Promise.all([
    import('../cluster/diff.js'),
    clusterOptions(flags, namespace).catch((error: unknown) =>
      clusterFailure(error, io, !!flags.json, report),
    ),
  ]);
  let results: Awaited<ReturnType<typeof diffObjects>>;
  try {
    results = await diffObjects(objects, options);
  } catch (error) {
    clusterFailure(error, io, !!flags.json, report);
  }
  // As kubectl diff: exit 1 when apply would change something. Quiet: the diff is the report.
  const changes = results.filter((r) => r.action !== 'unchanged').length;
  const changed = () => {
    if (changes > 0) {
      throw new FailedError(`${changes} object(s) would change`, { quiet: true });
    }
  };
  if (flags.json) {
    writeJson(io.stdout, { ok: true, report, results });
    return changed();
  }
  // Paths only, never values: a diff must not leak what a Secret holds.
  const c = palette(io.stdout, io.env);
  for (const r of results) {
    const action =
      r.action === 'create'
        ? c.green('create')
        : r.action === 'update'
          ? c.yellow('update')
          : r.action === 'delete'
            ? c.red('delete')
            : c.dim('unchanged');
    io.stdout.write(`${action} ${r.ref}${r.note ? `  (${r.note})` : ''}\n`);
    for (const change of r.changes) io.stdout.write(`    ~ ${change}\n`);
  }
  const count = (a: string) => results.filter((r) => r.action === a).length;
  const deletes = flags.prune ? `, ${count('delete')} to delete` : '';
  io.stdout.write(
    `${count('create')} to create, ${count('update')} to update${deletes}, ${count('unchanged')} unchanged.\n`,
  );
  changed();
}
