/**
 * `validate`: build the bundle from the config and validate it; write nothing. The report goes
 * to stdout, as text or (`--json`) as the report itself.
 */
import { buildBundle } from '../bundle.js';
import { validate } from '../validate/index.js';
import { loadCliConfig, validateOptionsFor } from './config.js';
import type { Io } from './io.js';
import { failedReport, listRules, printReport } from './report.js';

export interface ValidateFlags {
  config?: string;
  /** `--set path=value` overrides, in order. */
  set?: string[];
  json?: boolean;
  listRules?: boolean;
}

export async function runValidate(flags: ValidateFlags, io: Io): Promise<void> {
  if (flags.listRules) return listRules(io, flags.json === true);
  const config = await loadCliConfig(flags.config, flags.set);
  const objects = buildBundle(config);
  const report = validate(objects, validateOptionsFor(config, objects, false));
  printReport(io, io.stdout, report, flags.json === true);
  if (!report.ok) throw failedReport(report, 'fix them before rendering');
}
