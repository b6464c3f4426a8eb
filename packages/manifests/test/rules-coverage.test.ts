import { describe, expect, it } from 'vitest';
import { RULES } from '../src/validate/index.js';
import { opsPolicyRows } from './fixtures/rows/policy-ops.js';
import { podPolicyRows } from './fixtures/rows/policy-pod.js';
import { promqlRows } from './fixtures/rows/promql.js';
import { refRows } from './fixtures/rows/ref.js';
import { schemaRows } from './fixtures/rows/schema.js';
import type { RuleRow } from './fixtures/rule-rows.js';

const ROWS: RuleRow[] = [
  ...schemaRows,
  ...refRows,
  ...podPolicyRows,
  ...opsPolicyRows,
  ...promqlRows,
];

describe('the rule list', () => {
  it('gives every rule a unique family/name id, a severity and a description', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^(schema|ref|policy|promql)\/[a-z0-9-]+$/);
      expect(['error', 'warning']).toContain(rule.severity);
      expect(rule.description.length).toBeGreaterThan(20);
    }
  });

  it('has a table row where each rule fires and one where it does not', () => {
    const fires = new Set(ROWS.filter((r) => r.want.length > 0).map((r) => r.rule));
    const quiet = new Set(ROWS.filter((r) => r.want.length === 0).map((r) => r.rule));
    const ids = RULES.map((r) => r.id);
    expect(ids.filter((id) => !fires.has(id))).toEqual([]);
    expect(ids.filter((id) => !quiet.has(id))).toEqual([]);
    // And no row names a rule that does not exist.
    expect(ROWS.map((r) => r.rule).filter((id) => !ids.includes(id))).toEqual([]);
  });
});
