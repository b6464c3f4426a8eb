import { describe, it } from 'vitest';
import { opsPolicyRows } from './fixtures/rows/policy-ops.js';
import { podPolicyRows } from './fixtures/rows/policy-pod.js';

const policyRows = [...podPolicyRows, ...opsPolicyRows];

import { checkRow } from './fixtures/rule-rows.js';

describe('policy rules', () => {
  it.each(policyRows.map((row) => [`${row.rule}: ${row.name}`, row] as const))(
    '%s',
    (_name, row) => {
      checkRow(row);
    },
  );
});
