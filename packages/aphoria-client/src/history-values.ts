/**
 * The schemas of the values {@link scanToAssertions} stores, as the readers (history.ts,
 * finding-states.ts) check them: loose on purpose, so a later minor version may add fields.
 * Internal: not exported from the package.
 */
import { z } from 'zod';
import { SEVERITIES } from './scan.js';
import { SCAN_ID_PATTERN } from './scan-id.js';
import { FINDING_VALUE_SCHEMA, SCAN_VALUE_SCHEMA } from './subjects.js';

const scanner = z.object({ name: z.string(), version: z.string() });
const common = {
  scan_id: z.string().regex(SCAN_ID_PATTERN),
  project: z.string(),
  commit: z.string(),
  branch: z.string(),
  scanner,
  finished_at: z.string(),
};
/** A finding's stored value (`aphoria.finding/v1`). Loose: a later minor version may add fields. */
export const FindingValueSchema = z.object({
  schema: z.literal(FINDING_VALUE_SCHEMA),
  ...common,
  rule: z.string(),
  severity: z.enum(SEVERITIES),
  file: z.string(),
  line: z.int(),
  end_line: z.int(),
  message: z.string(),
  fingerprint: z.string(),
});
/** A scan summary's stored value (`aphoria.scan/v1`). Loose, as above. */
export const ScanSummaryValueSchema = z.object({
  schema: z.literal(SCAN_VALUE_SCHEMA),
  ...common,
  started_at: z.string(),
  findings: z.int().min(0),
  by_severity: z.record(z.enum(SEVERITIES), z.int().min(0)),
});
