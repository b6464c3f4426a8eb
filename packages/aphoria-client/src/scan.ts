/**
 * The scan file Aphoria hands over (`aphoria.scan/v1`): its schema, and parsing it into a
 * {@link Scan} with errors that name each JSON path at fault.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ScanValidationError } from './errors.js';
import { formatPath, issuesMessage, ROOT_PATH, toScanIssues } from './scan-issues.js';
import { fingerprintSegment } from './subjects.js';

/** The severities a finding may have, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/**
 * A project name, as provisioning names projects (lowercase letters, digits and hyphens; it
 * becomes the key label `project-<name>` and the secret `stemedb-key-<name>`): 1 to 63
 * characters, starting and ending with a letter or digit.
 */
export const PROJECT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A git commit: 40 lowercase hex characters. */
export const COMMIT_PATTERN = /^[0-9a-f]{40}$/;

const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });
const timestamp = () =>
  z.iso.datetime({
    offset: true,
    error: 'must be an RFC 3339 date-time, e.g. 2026-12-01T10:00:00Z',
  });
const lineNumber = () =>
  z
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be ≥ 1' })
    .max(2_147_483_647, { error: 'must be at most 2147483647' });

/** One finding of a scan. Unknown fields are refused. */
export const FindingSchema = z
  .strictObject({
    rule: text(200),
    severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
    file: text(1024),
    line: lineNumber(),
    end_line: lineNumber(),
    message: text(10_000),
    fingerprint: text(1024),
    // Only from a SARIF log read with includeSnippets: off by default, a snippet can be a secret.
    snippet: text(10_000).optional(),
  })
  .check((ctx) => {
    // Checks also run after non-fatal issues (zod 4): compare only two valid line numbers.
    const { line, end_line } = ctx.value;
    if (Number.isInteger(line) && Number.isInteger(end_line) && end_line >= 1 && end_line < line) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value.end_line,
        path: ['end_line'],
        message: `must be ≥ line (${ctx.value.line})`,
      });
    }
  });

/**
 * The scan file, `aphoria.scan/v1`. Strict at every level: an unknown field is an error.
 * Two findings may not share a fingerprint (a finding's identity is its project and
 * fingerprint), and `finished_at` may not come before `started_at`.
 */
const scanFields = {
  schema: z.literal('aphoria.scan/v1', { error: 'must be "aphoria.scan/v1"' }),
  project: z.string({ error: 'must be a string' }).regex(PROJECT_NAME_PATTERN, {
    error:
      'must be a project name: 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  }),
  commit: z
    .string({ error: 'must be a string' })
    .regex(COMMIT_PATTERN, { error: 'must be a 40-character lowercase hex commit id' }),
  branch: text(255),
  scanner: z.strictObject({ name: text(100), version: text(100) }),
  started_at: timestamp(),
  finished_at: timestamp(),
};

/**
 * The checks across fields, on a value whose fields may themselves be invalid (zod 4 runs
 * checks after non-fatal issues, and parseScan runs them on the raw input). Internal (also
 * scan-file/read.ts's, which checks the fingerprints itself as the findings stream by).
 */
export function crossFieldIssues(scan: {
  started_at?: unknown;
  finished_at?: unknown;
  findings?: unknown;
}): z.core.$ZodRawIssue[] {
  const issues: z.core.$ZodRawIssue[] = [];
  const { started_at: started, finished_at: finished } = scan;
  // Only strings are compared: anything else already has an issue of its own, and converting an
  // arbitrary value (`{ "toString": false }`) to a string can throw.
  if (
    typeof started === 'string' &&
    typeof finished === 'string' &&
    Date.parse(finished) < Date.parse(started)
  ) {
    issues.push({
      code: 'custom',
      input: scan.finished_at,
      path: ['finished_at'],
      message: 'must not be before started_at',
    });
  }
  // Compare subjects rather than raw fingerprints: two findings must never share one.
  const first = new Map<string, number>();
  const findings: unknown[] = Array.isArray(scan.findings) ? scan.findings : [];
  findings.forEach((finding, index) => {
    const fingerprint = (finding as { fingerprint?: unknown } | null)?.fingerprint;
    if (typeof fingerprint !== 'string') return; // already an issue of its own
    const segment = fingerprintSegment(fingerprint);
    const earlier = first.get(segment);
    if (earlier === undefined) first.set(segment, index);
    else issues.push(duplicateIssue(fingerprint, index, earlier));
  });
  return issues;
}

/** Finding `index`'s fingerprint is finding `earlier`'s. Internal. */
export function duplicateIssue(
  fingerprint: string,
  index: number,
  earlier: number,
): z.core.$ZodRawIssue {
  return {
    code: 'custom',
    input: fingerprint,
    path: ['findings', index, 'fingerprint'],
    message: `duplicates ${formatPath(['findings', earlier, 'fingerprint'])} (fingerprints must be unique within a scan)`,
  };
}

/**
 * The scan file, `aphoria.scan/v1`. Strict at every level: an unknown field is an error.
 * Two findings may not share a fingerprint (a finding's identity is its project and
 * fingerprint), and `finished_at` may not come before `started_at`. It has no defaults and no
 * transforms: what it accepts it returns unchanged (parseScan relies on that).
 */
export const ScanSchema = z
  .strictObject({
    ...scanFields,
    findings: z.array(FindingSchema, { error: 'must be an array of findings' }),
  })
  .check((ctx) => {
    ctx.issues.push(...(crossFieldIssues(ctx.value) as typeof ctx.issues));
  });

/** ScanSchema without its findings, which parseScan checks one at a time. Internal. */
export const ScanHeaderSchema = z.strictObject({
  ...scanFields,
  findings: z.array(z.unknown(), { error: 'must be an array of findings' }),
});

/** A validated scan. */
export type Scan = z.output<typeof ScanSchema>;
/** One finding of a validated scan. */
export type Finding = Scan['findings'][number];

/**
 * Validates a parsed JSON value as a scan, exactly as {@link ScanSchema} does, and returns the
 * value itself: no copy. A 100,000-finding scan is tens of megabytes, and zod's validated copy
 * would sit beside the caller's for the whole persist. The findings are checked one at a time,
 * each check's copy dropped at once.
 *
 * @throws ScanValidationError naming every JSON path at fault (`findings[3].line`)
 */
export function parseScan(json: unknown, options: { source?: string } = {}): Scan {
  const issues: z.core.$ZodIssue[] = [];
  const header = ScanHeaderSchema.safeParse(json);
  if (!header.success) issues.push(...header.error.issues);
  const findings: unknown = (json as { findings?: unknown } | null)?.findings;
  if (Array.isArray(findings)) {
    findings.forEach((finding, index) => {
      const result = FindingSchema.safeParse(finding);
      if (result.success) return;
      for (const issue of result.error.issues) {
        issues.push({ ...issue, path: ['findings', index, ...issue.path] });
      }
    });
  }
  if (typeof json === 'object' && json !== null) {
    issues.push(...(crossFieldIssues(json) as z.core.$ZodIssue[]));
  }
  if (issues.length === 0) return json as Scan;
  throw invalidScan(issues, options.source);
}

/** The error of a scan with `issues`, read from `source`. Internal. */
export function invalidScan(
  issues: readonly z.core.$ZodIssue[],
  source: string | undefined,
): ScanValidationError {
  const scanIssues = toScanIssues(issues);
  const what = `${source ?? 'the scan'} is not a valid aphoria.scan/v1 scan`;
  return new ScanValidationError(issuesMessage(what, scanIssues), scanIssues);
}

/**
 * Reads a scan file and validates it.
 *
 * @throws ScanValidationError when the file is missing, unreadable, not JSON, or not a scan
 */
export async function readScanFile(path: string): Promise<Scan> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errnoText(error);
    throw new ScanValidationError(
      `cannot read the scan file ${path}: ${reason}`,
      [{ path: ROOT_PATH, message: reason }],
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    const reason = jsonErrorText(raw, error);
    throw new ScanValidationError(
      `the scan file ${path} is not JSON: ${reason}`,
      [{ path: ROOT_PATH, message: reason }],
      { cause: error },
    );
  }
  return parseScan(json, { source: path });
}

function errnoText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'EISDIR') return 'it is a directory';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  return e.code ?? 'unreadable';
}

/** JSON.parse's reason, with the position turned into a line and column. */
function jsonErrorText(raw: string, error: unknown): string {
  if (raw.trim() === '') return 'the file is empty';
  const message = error instanceof Error ? error.message : String(error);
  const at = /position (\d+)/.exec(message);
  // V8 quotes a slice of the input ("…" is not valid JSON, newlines and all): drop it before
  // taking the first line, so no piece of the file is echoed; the line and column say enough.
  const reason = (
    message.replace(/, ".*" is not valid JSON$/s, '').split('\n')[0] ?? message
  ).replace(/^JSON\.parse: /, '');
  if (at === null) return reason.slice(0, 200);
  const offset = Number(at[1]);
  const before = raw.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${reason.replace(/\s*(?:in JSON )?at position \d+.*$/, '').slice(0, 200)} at line ${line}, column ${column}`;
}
