/**
 * `render` and `validate`: build the bundle from the config, validate it (one aggregated
 * report), and for `render` write it, only when there are no errors (STYLE.md practice 11).
 */
import { buildBundle } from '../bundle.js';
import { type OutputFormat, writeOutput } from '../output/index.js';
import { RULES, validate } from '../validate/index.js';
import { loadCliConfig, validateOptionsFor } from './config.js';
import { FailedError, type Io, palette, UsageError, writeJson } from './output.js';
import { printReport, type Report } from './report.js';

export const FORMATS: readonly OutputFormat[] = ['yaml', 'json', 'kustomize'];

export interface RenderFlags {
  config?: string;
  format: string;
  out?: string;
  json?: boolean;
}

export interface ValidateFlags {
  config?: string;
  json?: boolean;
  listRules?: boolean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The error a failed report ends a command with; the report itself was printed already. With
 * `quiet` (a JSON report on stderr) no line follows it, so stderr stays one JSON document.
 */
export function failedReport(report: Report, what: string, quiet = false): FailedError {
  return new FailedError(
    `${plural(report.errors, 'error')} in the bundle (${plural(report.warnings, 'warning')}): ${what}`,
    { quiet },
  );
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

export async function runValidate(flags: ValidateFlags, io: Io): Promise<void> {
  if (flags.listRules) return listRules(io, flags.json === true);
  const config = await loadCliConfig(flags.config);
  const objects = buildBundle(config);
  const report = validate(objects, validateOptionsFor(config, objects, false));
  printReport(io, io.stdout, report, flags.json === true);
  if (!report.ok) throw failedReport(report, 'fix them before rendering');
}

/** Every rule: id, severity and what it checks. */
export function listRules(io: Io, json: boolean): void {
  if (json) {
    writeJson(io.stdout, RULES);
    return;
  }
  const width = Math.max(...RULES.map((r) => r.id.length));
  for (const rule of RULES) {
    io.stdout.write(`${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.description}\n`);
  }
}
