/**
 * `render`: build the bundle from the config, validate it (one aggregated report), and write it
 * with output/write.ts, only when there are no errors (STYLE.md practice 11).
 */
import { buildBundle } from '../bundle.js';
import { type OutputFormat, writeOutput } from '../output/write.js';
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
  const objects = buildBundle(config);
  const report = validate(objects, validateOptionsFor(config, objects, format === 'kustomize'));
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
