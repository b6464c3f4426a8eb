/**
 * Every rule, table-driven: each row of `fixtures/rows` changes the good bundle and lists the
 * findings of one rule. A rule has rows where it fires and near misses where it must not: the
 * smallest change that comes close to what it flags (the unchanged bundle is `validate.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/validate/index.js';
import { goodBundle } from './fixtures/good-bundle.js';
import { opsPolicyRows } from './fixtures/rows/policy-ops.js';
import { podPolicyRows } from './fixtures/rows/policy-pod.js';
import { promqlRows } from './fixtures/rows/promql.js';
import { refRows } from './fixtures/rows/ref.js';
import { schemaRows } from './fixtures/rows/schema.js';
import { checkRow, type RuleRow } from './fixtures/rule-rows.js';

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

  it('has no row that leaves the good bundle as it is, and no two rows alike', () => {
    const unchanged = JSON.stringify({ objects: goodBundle().objects });
    const seen = new Map<string, string>();
    const alike: string[] = [];
    for (const row of ROWS) {
      const key = JSON.stringify({ objects: givenObjects(row), options: row.options });
      if (key === unchanged) alike.push(`${row.rule}: ${row.name} changes nothing`);
      const twin = seen.get(key);
      if (twin) alike.push(`${row.rule}: ${row.name} is the same case as ${twin}`);
      seen.set(key, `${row.rule}: ${row.name}`);
    }
    expect(alike).toEqual([]);
  });
});

describe('rules', () => {
  it.each(ROWS.map((row) => [`${row.rule}: ${row.name}`, row] as const))('%s', (_name, row) => {
    checkRow(row);
  });
});

/** The objects a row validates: the bundle it changed, or the list it returned. */
function givenObjects(row: RuleRow): unknown {
  const bundle = goodBundle();
  const result = row.given(bundle);
  return Array.isArray(result) ? result : bundle.objects;
}
