/**
 * A SARIF result's severity, as GitHub code scanning maps it: a rule's `security-severity`
 * property (a CVSS-like score) wins when present; otherwise the result's `level` (else the rule's
 * `defaultConfiguration.level`, else `warning`, the SARIF default).
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object
 */
import type { Severity } from '../scan.js';
import type { SarifLevel, SarifResult, SarifRule } from './types.js';

/** `level` → severity: error is high, warning medium, note low, none info. */
export const LEVEL_SEVERITY: Readonly<Record<SarifLevel, Severity>> = {
  error: 'high',
  warning: 'medium',
  note: 'low',
  none: 'info',
};

/** A `security-severity` score → severity: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, > 0 low. */
export function securitySeverity(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

/** The severity of `result`, whose rule (if any is known) is `rule`. */
export function severityOf(result: SarifResult, rule: SarifRule | undefined): Severity {
  const raw = rule?.properties?.['security-severity'];
  // GitHub takes the score as a string ("8.8"); a number is accepted too. Anything else is
  // ignored rather than refused: the property bag is free-form.
  const score = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (Number.isFinite(score) && score >= 0 && score <= 10) return securitySeverity(score);
  const level = result.level ?? rule?.defaultConfiguration?.level ?? 'warning';
  return LEVEL_SEVERITY[level];
}
