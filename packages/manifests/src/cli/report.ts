/**
 * A validation report as the CLI prints it: `formatReport`'s text, coloured on a terminal, or
 * the report itself as JSON (`--json`). Findings never hold secret values: rules name fields,
 * not their contents.
 */
import type { Finding } from '../types.js';
import { formatReport } from '../validate/format.js';
import { type Io, type OutStream, type Palette, palette, writeJson } from './output.js';

/** The report's shape, as `validate()` returns it and `--json` prints it. */
export interface Report {
  ok: boolean;
  errors: number;
  warnings: number;
  findings: Finding[];
}

/** A report of `findings` (e.g. validate's plus lint's own). */
export function reportOf(findings: Finding[]): Report {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { ok: errors === 0, errors, warnings: findings.length - errors, findings };
}

const SUMMARY = /^\d+ errors?, \d+ warnings?\.$/;

function colourLine(line: string, report: Report, c: Palette): string {
  const severity = /^ {2}(error|warning) /.exec(line)?.[1];
  if (severity) {
    const coloured = severity === 'error' ? c.red(severity) : c.yellow(severity);
    return line.replace(severity, coloured).replace(/\[[^\]]+\]$/, (rule) => c.dim(rule));
  }
  if (line === '' || line.startsWith(' ')) return line;
  if (SUMMARY.test(line)) return report.errors > 0 ? c.red(line) : c.yellow(line);
  if (report.findings.length === 0) return c.green(line);
  return c.bold(line); // an object's header
}

/** The report for people, coloured when `stream` is a terminal and NO_COLOR is unset. */
export function humanReport(report: Report, stream: OutStream, env: Io['env']): string {
  const c = palette(stream, env);
  return formatReport(report)
    .split('\n')
    .map((line) => colourLine(line, report, c))
    .join('\n');
}

/** Prints the report to `stream`: JSON with `--json`, text otherwise. */
export function printReport(io: Io, stream: OutStream, report: Report, json: boolean): void {
  if (json) writeJson(stream, report);
  else stream.write(humanReport(report, stream, io.env));
}
