/**
 * A validation report as every command prints it: `formatReport`'s text, coloured on a
 * terminal, or the report itself as JSON (`--json`); the error a failed report ends a command
 * with; and the rule list (`--list-rules`). Findings never hold secret values: rules name
 * fields, not their contents.
 */
import type { Finding } from '../types.js';
import { formatReport } from '../validate/format.js';
import { RULES } from '../validate/index.js';
import { FailedError, type Io, type OutStream, type Palette, palette, writeJson } from './io.js';

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

/** `1 error`, `2 errors`. */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

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
