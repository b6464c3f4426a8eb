/**
 * The object registry is the one list of what the bundle emits: the README's "What is emitted"
 * table is generated from it (and must match), every registered kind has a place in the
 * cluster apply order, and the bundle is the registry's objects in its order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLY_ORDER } from '../src/cluster/order.js';
import { parseConfig } from '../src/config/index.js';
import { buildBundle, type KubeObject } from '../src/index.js';
import type { EmittedDocRow } from '../src/objects/descriptor.js';
import { toKubeObject } from '../src/objects/meta.js';
import { OBJECT_REGISTRY } from '../src/objects/registry.js';
import { MINIMAL, withConfig } from './objects-fixtures.js';

/** The table, padded as the README's formatter pads it (columns at least 3 wide). */
function emittedTable(rows: readonly EmittedDocRow[]): string {
  let n = 0;
  const cells = [
    ['#', 'object', 'name (defaults)', 'when'],
    ...rows.map((r) => {
      if (!r.alternative) n++;
      return [String(n), r.object, r.name, r.when];
    }),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(3, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(cells[0]!),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** The README's table under "## What is emitted". */
function readmeTable(): string {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## What is emitted'));
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start, end).join('\n');
}

/** Configs that together switch every registered object on. */
const CONFIGS = [MINIMAL, withConfig({ backup: { method: 'rclone' } })].map((c) => parseConfig(c));

describe('the object registry', () => {
  it("generates the README's What is emitted table", () => {
    expect(readmeTable()).toBe(emittedTable(OBJECT_REGISTRY.map((d) => d.docs)));
  });

  it('registers each object once, with a unique id', () => {
    const ids = OBJECT_REGISTRY.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every registered kind a place in the cluster apply order', () => {
    const unplaced = OBJECT_REGISTRY.map((d) => d.kind).filter((k) => !APPLY_ORDER.includes(k));
    expect(unplaced).toEqual([]);
  });

  it.each(OBJECT_REGISTRY.map((d) => [d.id, d] as const))(
    '%s: its docs row names the kind and the default names it builds',
    (_id, d) => {
      const c = CONFIGS.find((config) => d.when(config));
      expect(c, 'some test config emits it').toBeDefined();
      const built = ([] as Parameters<typeof toKubeObject>[0][])
        .concat(d.build(c!) ?? [])
        .map((o) => toKubeObject(o));
      expect(built.length).toBeGreaterThan(0);
      for (const o of built) {
        expect(o.kind).toBe(d.kind);
        expect(d.docs.object).toContain(d.kind);
        expect(d.docs.name).toContain(`\`${o.metadata.name}\``);
      }
    },
  );

  it('builds the bundle as the registered objects whose condition holds, in registry order', () => {
    for (const c of CONFIGS) {
      const want: KubeObject[] = OBJECT_REGISTRY.filter((d) => d.when(c)).flatMap((d) =>
        ([] as Parameters<typeof toKubeObject>[0][])
          .concat(d.build(c) ?? [])
          .map((o) => toKubeObject(o)),
      );
      expect(buildBundle(c)).toEqual(want);
    }
  });

  it('leaves out an object whose condition does not hold', () => {
    const off = parseConfig(withConfig({ podDisruptionBudget: { enabled: false } }));
    expect(buildBundle(off).some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });
});
