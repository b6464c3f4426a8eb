import { describe, it } from 'vitest';
import { refRows } from './fixtures/rows/ref.js';
import { checkRow } from './fixtures/rule-rows.js';

describe('ref rules', () => {
  it.each(refRows.map((row) => [`${row.rule}: ${row.name}`, row] as const))('%s', (_name, row) => {
    checkRow(row);
  });
});
