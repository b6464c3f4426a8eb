import { describe, it } from 'vitest';
import { promqlRows } from './fixtures/rows/promql.js';
import { checkRow } from './fixtures/rule-rows.js';

describe('promql rules', () => {
  it.each(promqlRows.map((row) => [`${row.rule}: ${row.name}`, row] as const))(
    '%s',
    (_name, row) => {
      checkRow(row);
    },
  );
});
