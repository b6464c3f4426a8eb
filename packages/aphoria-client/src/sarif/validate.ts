/**
 * Checks the parts of a SARIF log against the OASIS SARIF 2.1.0 JSON schema (vendored in
 * `schema/`, with its license), with ajv: the log without its runs, each run without its
 * results, and each result against the schema's `result` definition. Checked in parts, a log is
 * validated as it streams, one result at a time, and no part needs the whole log in memory. The
 * schema puts no constraint across those parts (`runs` and `results` are plain arrays of their
 * items, `uniqueItems: false`), so the parts pass exactly when the whole log would. The
 * validators are compiled once, on first use: the schema is 110 kB and most runs of the CLI read
 * no SARIF at all.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ScanIssue } from '../errors.js';
import { formatPath } from '../scan-issues.js';
import schema from './schema/sarif-schema-2.1.0.json' with { type: 'json' };

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the
// module object, under a bundler the function; take whichever is callable.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** The parts a log is checked in. */
export type SarifPart = 'log' | 'run' | 'result';

let compiled: Readonly<Record<SarifPart, ValidateFunction>> | undefined;

function validators(): Readonly<Record<SarifPart, ValidateFunction>> {
  if (compiled === undefined) {
    // allErrors: a log with several mistakes names them all at once (capped by the caller).
    // strict: false, because the OASIS schema uses keywords ajv's strict mode flags (e.g.
    // `default` beside `$ref`) and it is not ours to edit.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema(schema);
    const definition = (name: string) =>
      ajv.compile({ $ref: `${schema.$id}#/definitions/${name}` });
    compiled = { log: ajv.compile(schema), run: definition('run'), result: definition('result') };
  }
  return compiled;
}

/** `/locations/0/uri` under `['runs', 0, 'results', 3]` → the path's segments. */
function pathOf(error: ErrorObject, prefix: readonly PropertyKey[]): string {
  const segments: PropertyKey[] = [...prefix];
  for (const raw of error.instancePath.split('/').slice(1)) {
    const s = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    segments.push(/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s);
  }
  if (error.keyword === 'additionalProperties') {
    segments.push(String((error.params as { additionalProperty?: unknown }).additionalProperty));
  } else if (error.keyword === 'required') {
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
 * The schema's complaints about one part of a log, each naming its JSON path from the log's
 * root (`prefix` is where the part sits: `['runs', 0, 'results', 3]`). Empty when it is valid.
 * A log's `runs` and a run's `results` must be left out (or empty) by the caller: they are
 * parts of their own.
 */
export function sarifPartIssues(
  part: SarifPart,
  value: unknown,
  prefix: readonly PropertyKey[],
): ScanIssue[] {
  const validate = validators()[part];
  if (validate(value)) return [];
  const issues: ScanIssue[] = [];
  for (const error of validate.errors ?? []) {
    // anyOf/oneOf branches repeat the same complaint; the schema's own combinators say little.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    issues.push({ path: pathOf(error, prefix), message: messageOf(error) });
  }
  return issues;
}
