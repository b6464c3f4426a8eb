import { describe, it } from 'vitest';
import { schemaRows } from './fixtures/rows/schema.js';
import { checkRow } from './fixtures/rule-rows.js';

describe('schema rules', () => {
  it.each(schemaRows.map((row) => [`${row.rule}: ${row.name}`, row] as const))(
    '%s',
    (_name, row) => {
      checkRow(row);
    },
  );
});
