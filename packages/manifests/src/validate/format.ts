/**
 * The human-readable report: findings grouped by object, each with its path, rule id, message
 * and fix, then a one-line summary. Plain text (no colour): the CLI decides about colour.
 */
import type { Finding } from '../types.js';

/** What `formatReport` needs of a report. */
export interface ReportLike {
  findings: readonly Finding[];
  errors: number;
  warnings: number;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Formats a validation report for people. */
export function formatReport(report: ReportLike): string {
  if (report.findings.length === 0) return 'No problems found.\n';
  const byObject = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const list = byObject.get(finding.object) ?? [];
    list.push(finding);
    byObject.set(finding.object, list);
  }
  const lines: string[] = [];
  for (const [object, findings] of byObject) {
    lines.push(object);
    for (const f of findings) {
      lines.push(`  ${f.severity.padEnd(7)} ${f.path || '(object)'}  [${f.ruleId}]`);
      lines.push(`          ${f.message}`);
      lines.push(`          fix: ${f.fix}`);
    }
    lines.push('');
  }
  lines.push(`${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}.`);
  return `${lines.join('\n')}\n`;
}
