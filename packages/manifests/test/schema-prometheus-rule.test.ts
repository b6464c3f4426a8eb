import { describe, expect, it } from 'vitest';
import { buildBundle, parseConfig } from '../src/index.js';
import { checkWithModel } from '../src/validate/schema/ajv.js';
import type { SchemaIssue } from '../src/validate/schema/issues.js';
import { loadModel } from '../src/validate/schema/models.js';
import { schemaFor } from '../src/validate/schema/registry.js';

// Our PrometheusRule schema stands in for the published one (which loads re2-wasm): it must
// judge every object the same way, down to the kind and place of each problem.
const published = loadModel('monitoring.coreos.com/v1', 'PrometheusRule')!;
const ours = schemaFor('monitoring.coreos.com/v1', 'PrometheusRule')!;

const bundle = buildBundle(
  parseConfig({ ingress: { host: 'stemedb.threesix.ai' }, image: { tag: '1.0.0' } }),
);
const rule = structuredClone(bundle.find((o) => o.kind === 'PrometheusRule')!);

type Json = Record<string, unknown>;
const withGroup = (patch: (group: Json) => void) => {
  const copy = structuredClone(rule) as Json;
  const group = ((copy.spec as Json).groups as Json[])[0]!;
  patch(group);
  return copy;
};
const firstRule = (group: Json) => (group.rules as Json[])[0]!;

const summary = (issues: SchemaIssue[]) =>
  issues.map((i) => `${i.kind} ${i.segments.join('.')}`).sort();

const rows: { name: string; given: unknown }[] = [
  { name: 'our rendered rule', given: rule },
  { name: 'an unknown field in a rule', given: withGroup((g) => (firstRule(g).severity = 'x')) },
  { name: 'an unknown field in a group', given: withGroup((g) => (g.evaluation = '1m')) },
  { name: 'a rule without expr', given: withGroup((g) => delete firstRule(g).expr) },
  { name: 'an integer expr', given: withGroup((g) => (firstRule(g).expr = 1)) },
  { name: 'a malformed for duration', given: withGroup((g) => (firstRule(g).for = '5 minutes')) },
  { name: 'a group without a name', given: withGroup((g) => delete g.name) },
  { name: 'an empty group name', given: withGroup((g) => (g.name = '')) },
  {
    name: 'an upper-case strategy',
    given: withGroup((g) => (g.partial_response_strategy = 'WARN')),
  },
  { name: 'an unknown strategy', given: withGroup((g) => (g.partial_response_strategy = 'retry')) },
  { name: 'a fractional limit', given: withGroup((g) => (g.limit = 1.5)) },
  {
    name: 'a label that is not a string',
    given: withGroup((g) => (firstRule(g).labels = { a: 1 })),
  },
  { name: 'a spec field that does not exist', given: { ...rule, spec: { groups: [], x: 1 } } },
  { name: 'no spec', given: { ...rule, spec: undefined } },
];

describe('our PrometheusRule schema', () => {
  it.each(rows)('agrees with the published schema on $name', ({ given }) => {
    const theirs = checkWithModel(published, given).filter((i) => i.segments[0] !== 'metadata');
    const mine = ours.check(given).filter((i) => i.segments[0] !== 'metadata');
    expect(mine.length === 0).toBe(theirs.length === 0);
    expect(summary(mine).map((s) => s.split(' ')[1])).toEqual(
      summary(theirs).map((s) => s.split(' ')[1]),
    );
  });

  it('accepts our rendered rule', () => {
    expect(ours.check(rule)).toEqual([]);
  });
});
