/**
 * `render`: build the bundle from the config, validate it (one aggregated report), and write it
 * with output/write.ts, only when there are no errors (STYLE.md practice 11).
 */
import { buildBundle } from '../bundle.js';
import type { StemeDeploymentConfig } from '../config.js';
import { toKubeObject } from '../objects/meta.js';
import { buildRestoreObjects, restoreTargets } from '../objects/restore.js';
import { type OutputFormat, writeOutput } from '../output/write.js';
import type { KubeObject } from '../types.js';
import { validate } from '../validate/index.js';
import { loadCliConfig, validateOptionsFor } from './config.js';
import { type Io, palette, UsageError } from './io.js';
import { failedReport, plural, printReport } from './report.js';

export const FORMATS: readonly OutputFormat[] = ['yaml', 'json', 'kustomize'];

export interface RenderFlags {
  config?: string;
  format: string;
  out?: string;
  json?: boolean;
  /** `[CLAIM=]URL` of Longhorn backups: render the restore objects instead of the bundle. */
  restoreFrom?: string[];
}

export async function runRender(flags: RenderFlags, io: Io): Promise<void> {
  const format = flags.format as OutputFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  }
  if (format === 'kustomize' && (!flags.out || flags.out === '-')) {
    throw new UsageError('--format kustomize writes a directory: give it with --out DIR');
  }
  const config = await loadCliConfig(flags.config);
  const bundle = buildBundle(config);
  const restore = restoreObjects(config, flags.restoreFrom ?? []);
  // The restore objects are validated beside the bundle they join (its namespace, its
  // claims), and written alone: they are applied to a cluster that already runs the bundle.
  const objects = restore ?? bundle;
  const checked = restore ? [...bundle, ...restore] : bundle;
  const report = validate(checked, validateOptionsFor(config, checked, format === 'kustomize'));
  // stdout may be the manifests, so the report goes to stderr; a clean one only with --json.
  if (flags.json || report.findings.length > 0) {
    printReport(io, io.stderr, report, flags.json === true);
  }
  if (!report.ok) throw failedReport(report, 'nothing was written', flags.json === true);
  const result = await writeOutput(objects, {
    format,
    ...(flags.out ? { out: flags.out } : {}),
    stdout: io.stdout,
  });
  if (result.paths[0] !== '-' && !flags.json) {
    const c = palette(io.stderr, io.env);
    const where = format === 'kustomize' ? `${flags.out}/` : flags.out;
    io.stderr.write(
      `${c.green('wrote')} ${plural(objects.length, 'object')} to ${where} (${format})\n`,
    );
  }
}

/** The restore objects for `--restore-from`, or undefined without it. */
function restoreObjects(
  config: StemeDeploymentConfig,
  specs: readonly string[],
): KubeObject[] | undefined {
  if (specs.length === 0) return undefined;
  let targets: ReturnType<typeof restoreTargets>;
  try {
    targets = restoreTargets(config, specs);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return buildRestoreObjects(config, targets).map(toKubeObject);
}
