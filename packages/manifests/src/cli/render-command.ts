/**
 * `render`: build the bundle from the config, validate it (one aggregated report), and write it
 * with output/write.ts, only when there are no errors (STYLE.md practice 11).
 */
import { buildBundle } from '../bundle.js';
import type { StemeDeploymentConfig } from '../config/index.js';
import { toKubeObject } from '../objects/meta.js';
import { buildRestoreObjects, restoreTargets } from '../objects/restore.js';
import { buildRcloneRestoreObjects, rcloneRestoreSource } from '../objects/restore-rclone.js';
import { buildSwapObjects, swapTargets } from '../objects/restore-swap.js';
import {
  PROMETHEUS_RULES_FORMAT,
  prometheusRuleGroups,
  writePrometheusRules,
} from '../output/prometheus-rules.js';
import { type OutputFormat, writeOutput } from '../output/write.js';
import type { KubeObject } from '../types.js';
import { validate } from '../validate/index.js';
import { loadCliConfig, validateOptionsFor } from './config.js';
import { type Io, palette, UsageError } from './io.js';
import { failedReport, plural, printReport } from './report.js';

export const FORMATS: readonly string[] = ['yaml', 'json', 'kustomize', PROMETHEUS_RULES_FORMAT];

export interface RenderFlags {
  config?: string;
  /** `--set path=value` overrides, in order. */
  set?: string[];
  format: string;
  out?: string;
  json?: boolean;
  /**
   * The backups to restore: `[CLAIM=]URL` of Longhorn backups, or with `backup.method: rclone`
   * one DB copy; renders the restore objects instead of the bundle.
   */
  restoreFrom?: string[];
  /** `[CLAIM=]VOLUME`: render the claim swap onto these Longhorn volumes instead of the bundle. */
  restoreSwap?: string[];
}

export async function runRender(flags: RenderFlags, io: Io): Promise<void> {
  const format = flags.format as OutputFormat;
  if (!FORMATS.includes(flags.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  }
  if (format === 'kustomize' && (!flags.out || flags.out === '-')) {
    throw new UsageError('--format kustomize writes a directory: give it with --out DIR');
  }
  if (
    flags.format === PROMETHEUS_RULES_FORMAT &&
    (flags.restoreFrom?.length || flags.restoreSwap?.length)
  ) {
    throw new UsageError(
      `--format ${PROMETHEUS_RULES_FORMAT} writes the bundle's alerts, not a restore`,
    );
  }
  const config = await loadCliConfig(flags.config, flags.set);
  const bundle = buildBundle(config);
  const restore = restoreObjects(config, flags.restoreFrom ?? [], flags.restoreSwap ?? []);
  // The restore objects are validated beside the bundle they join (its namespace, its
  // claims), and written alone: they are applied to a cluster that already runs the bundle.
  // Objects of the bundle they replace (the swap's claims) are checked in their new form.
  const objects = restore ?? bundle;
  const checked = restore ? [...bundle.filter((o) => !restore.some(same(o))), ...restore] : bundle;
  const report = validate(checked, validateOptionsFor(config, checked, format === 'kustomize'));
  // stdout may be the manifests, so the report goes to stderr; a clean one only with --json.
  if (flags.json || report.findings.length > 0) {
    printReport(io, io.stderr, report, flags.json === true);
  }
  if (!report.ok) throw failedReport(report, 'nothing was written', flags.json === true);
  if (flags.format === PROMETHEUS_RULES_FORMAT) {
    asUsage(() => prometheusRuleGroups(bundle)); // No alerts (monitoring off) is the config's doing.
    return writePrometheusRules(bundle, {
      ...(flags.out ? { out: flags.out } : {}),
      stdout: io.stdout,
    });
  }
  const result = await writeOutput(objects, {
    format,
    ...(flags.out ? { out: flags.out } : {}),
    stdout: io.stdout,
  }).catch((error: unknown) => {
    // A directory that is not ours, or a file named as one: how render was called (exit 2).
    if ((error as Error).name === 'OutputDirError') {
      throw new UsageError((error as Error).message, { cause: error });
    }
    throw error;
  });
  if (result.paths[0] !== '-' && !flags.json) {
    const c = palette(io.stderr, io.env);
    const where = format === 'kustomize' ? `${flags.out}/` : flags.out;
    const removed = result.removed.length > 0 ? `, removed ${result.removed.join(', ')}` : '';
    io.stderr.write(
      `${c.green('wrote')} ${plural(objects.length, 'object')} to ${where} (${format})${removed}\n`,
    );
  }
}

/** True for `b` of the same kind, namespace and name as `a`. */
const same = (a: KubeObject) => (b: KubeObject) =>
  a.kind === b.kind &&
  a.metadata.name === b.metadata.name &&
  a.metadata.namespace === b.metadata.namespace;

/**
 * The restore objects, or undefined without a restore flag: for `--restore-from`, the
 * method's (Longhorn: restore StorageClasses and PVCs; rclone: the copy-back Job), for
 * `--restore-swap` the PVs and claims of the swap. The two are steps applied at different
 * times, so they are not rendered together.
 */
function restoreObjects(
  config: StemeDeploymentConfig,
  from: readonly string[],
  swap: readonly string[],
): KubeObject[] | undefined {
  if (from.length === 0 && swap.length === 0) return undefined;
  if (from.length > 0 && swap.length > 0) {
    throw new UsageError(
      '--restore-from and --restore-swap are two steps of a restore (docs/restore.md, steps 4 and 5): render them one at a time',
    );
  }
  if (swap.length > 0) {
    return buildSwapObjects(
      config,
      asUsage(() => swapTargets(config, swap)),
    ).map(toKubeObject);
  }
  if (config.backup.method === 'rclone') {
    const source = asUsage(() => rcloneRestoreSource(config, from));
    return buildRcloneRestoreObjects(config, source).map(toKubeObject);
  }
  return buildRestoreObjects(
    config,
    asUsage(() => restoreTargets(config, from)),
  ).map(toKubeObject);
}

/** `parse()`, its Error (what is wrong with the flag's value) as a usage error. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
