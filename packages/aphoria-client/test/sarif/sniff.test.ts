/**
 * How `aphoria-hosted persist` tells a SARIF log from a native scan: from the root object's
 * first deciding field, without reading the rest (a file cut short after that field is still
 * told), with a near miss for each rule.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffScanFormat } from '../../src/sarif/sniff.js';
import { tempDir } from '../fixtures/temp.js';

const ROWS: { name: string; given: string; want: 'sarif' | 'aphoria' | 'unreadable' }[] = [
  { name: 'a runs array', given: '{"runs": [', want: 'sarif' },
  { name: 'runs, not an array', given: '{"runs": {}}', want: 'aphoria' },
  { name: 'runs below the root', given: '{"findings": [{"runs": []}]}', want: 'aphoria' },
  { name: 'version 2.1.0', given: '{"version": "2.1.0", "runs": ', want: 'sarif' },
  { name: 'another version', given: '{"version": "2.0.0"}', want: 'aphoria' },
  {
    name: 'a $schema naming SARIF',
    given: '{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", ',
    want: 'sarif',
  },
  { name: 'another $schema', given: '{"$schema": "https://example.com/x.json"}', want: 'aphoria' },
  {
    name: "a native scan's schema",
    given: '{"schema": "aphoria.scan/v1", "findings": [',
    want: 'aphoria',
  },
  {
    name: 'a native scan, schema last',
    given: '{"project": "p", "findings": [{"version": "2.1.0"}], "schema": "aphoria.scan/v1"}',
    want: 'aphoria',
  },
  { name: 'an array', given: '[{"runs": []}]', want: 'unreadable' },
  { name: 'not JSON', given: 'runs: []', want: 'unreadable' },
  { name: 'empty', given: '', want: 'unreadable' },
];

describe('sniffScanFormat', () => {
  it.each(ROWS)('$name: $want', async ({ given, want }) => {
    const path = join(await tempDir(), 'input');
    await writeFile(path, given);
    expect(await sniffScanFormat(path)).toBe(want);
  });

  it('calls a missing file unreadable, for the reader that follows to name', async () => {
    expect(await sniffScanFormat(join(await tempDir(), 'missing.json'))).toBe('unreadable');
  });
});
