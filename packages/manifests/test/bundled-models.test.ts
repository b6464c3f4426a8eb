import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildBundle, parseConfig } from '../src/index.js';
import { schemaFor } from '../src/validate/schema/registry.js';

// The CLI build carries the validators of the kinds `render` emits (bundled-models.ts); a kind
// missing from that table still validates, only through the slow per-file load. Keep the
// table complete, so a new object does not quietly push a cold render over its budget.
const source = readFileSync(
  new URL('../src/validate/schema/bundled-models.ts', import.meta.url),
  'utf8',
);
const bundled = new Set([...source.matchAll(/'([^']+)': \(\) =>/g)].map((m) => m[1]));

const base = { ingress: { host: 'stemedb.threesix.ai' }, image: { tag: '0.9.0' } };
const configs = [
  base,
  { ...base, storage: { volumes: { layout: 'single' } } },
  { ...base, backup: { enabled: false }, monitoring: { enabled: false } },
];

describe('the CLI build’s bundled validators', () => {
  it.each(configs.map((config, i) => ({ i, config })))(
    'cover every published-schema kind of bundle variant $i',
    ({ config }) => {
      for (const obj of buildBundle(parseConfig(config))) {
        const key = `${obj.apiVersion} ${obj.kind}`;
        const source = schemaFor(obj.apiVersion, obj.kind)?.source;
        if (source !== 'kubernetes-models' && source !== 'crd-generate') continue;
        expect(bundled, `${key} is not in bundled-models.ts`).toContain(key);
      }
    },
  );

  it('include ConfigMap, whose ObjectMeta schema checks the metadata of our own schemas', () => {
    expect(bundled).toContain('v1 ConfigMap');
  });
});
