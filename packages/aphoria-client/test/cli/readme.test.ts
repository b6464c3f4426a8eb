/**
 * The README's worked example and exit-code table are checked against the code, so the
 * documentation of the mapping and of the CLI cannot drift from what they document.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/io.js';
import { computeScanId, fingerprintSegment, parseScan, scanToAssertions } from '../../src/index.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = (title: string) => {
  const start = README.indexOf(`\n${title}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + title.length + 2);
  return README.slice(start, end === -1 ? undefined : end);
};
const jsonBlocks = (text: string) =>
  [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);

describe('README', () => {
  it('shows the assertions scanToAssertions makes of its worked example, and its scan id', () => {
    const example = section('### Worked example');
    const [scanJson, ...assertions] = jsonBlocks(example);
    const scan = parseScan(scanJson);
    expect(assertions).toEqual([...scanToAssertions(scan)].map((a) => a.input));
    expect(example).toContain(`has the scan id \`${computeScanId(scan)}\``);
    const hashed = fingerprintSegment('src/config.ts:12:secrets/hardcoded-key');
    expect(example).toContain(`aphoria/payments-api/finding/${hashed}`);
  });

  it('lists every exit code of the CLI, and no other', () => {
    const rows = [...section('## CLI').matchAll(/^\| (\d+)\s+\| /gm)].map((m) => Number(m[1]));
    expect(rows.sort((a, b) => a - b)).toEqual(Object.values(EXIT_CODES).sort((a, b) => a - b));
  });

  it('shows the benchmark figures for every target and client, and says which targets are met', () => {
    const figures = section('## Figures');
    for (const target of ['memory', 'data-dir']) {
      for (const client of ['raw', 'persist', 'flush']) {
        expect(figures).toMatch(new RegExp(`^\\| ${target} +\\| ${client} +\\| +\\d+ \\|`, 'm'));
      }
    }
    expect(figures).toMatch(/Targets: /);
  });
});
