/**
 * Checks a parsed JSON value against the OASIS SARIF 2.1.0 JSON schema (vendored in
 * `schema/`, with its license), with ajv. The validator is compiled once, on first use: the
 * schema is 110 kB and most runs of the CLI read no SARIF at all.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ScanValidationError } from '../errors.js';
import { formatPath, issuesMessage, MAX_KEPT_ISSUES } from '../scan-issues.js';
import schema from './schema/sarif-schema-2.1.0.json' with { type: 'json' };
import type { SarifLog } from './types.js';

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the
// module object, under a bundler the function; take whichever is callable.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    // allErrors: a log with several mistakes names them all at once (capped below). strict:
    // false, because the OASIS schema uses keywords ajv's strict mode flags (e.g. `default` beside
    // `$ref`) and it is not ours to edit.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** `/runs/0/results/3/level` → `runs[0].results[3].level`, as the rest of the package names paths. */
function pathOf(error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
  if (error.keyword === 'additionalProperties') {
    segments.push(String((error.params as { additionalProperty?: unknown }).additionalProperty));
    return formatPath(segments);
  }
  if (error.keyword === 'required') {
    segments.push(String((error.params as { missingProperty?: unknown }).missingProperty));
  }
  return formatPath(segments);
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return 'is not a field of SARIF 2.1.0';
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return error.message ?? error.keyword;
}

/**
 * Validates `json` as a SARIF 2.1.0 log and returns it unchanged.
 *
 * @throws ScanValidationError naming each JSON path at fault (`runs[0].results[3].level`)
 */
export function validateSarif(json: unknown, source = 'the log'): SarifLog {
  const validate = validator();
  if (validate(json)) return json as SarifLog;
  const seen = new Set<string>();
  const issues: { path: string; message: string }[] = [];
  for (const error of validate.errors ?? []) {
    // anyOf/oneOf branches repeat the same complaint; the schema's own combinators say little.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    const issue = { path: pathOf(error), message: messageOf(error) };
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    if (issues.length >= MAX_KEPT_ISSUES) break;
  }
  throw new ScanValidationError(
    issuesMessage(`${source} is not a valid SARIF 2.1.0 log`, issues),
    issues,
  );
}
