/**
 * Turns zod issues into {@link ScanIssue}s that name a JSON path the way a person reads it
 * (`findings[3].line`), one issue per unknown field, and into one readable message.
 */
import type { z } from 'zod';
import type { ScanIssue } from './errors.js';

/** How a path to the document itself is written. */
export const ROOT_PATH = '(root)';
/** At most this many issues are listed in an error's message (all are kept in `issues`). */
export const MAX_LISTED_ISSUES = 10;
/** At most this many issues are kept: a 100,000-finding file of mistakes stays readable. */
export const MAX_KEPT_ISSUES = 1000;
/** A path segment (an unknown field's name) is cut to this many characters. */
const MAX_SEGMENT_CHARS = 64;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['findings', 3, 'line']` → `findings[3].line`; odd keys are quoted: `a["b c"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const name = cut(String(segment));
      out += IDENTIFIER.test(name) ? (out === '' ? name : `.${name}`) : `[${JSON.stringify(name)}]`;
    }
  }
  return out === '' ? ROOT_PATH : out;
}

/** The issues of a failed parse, unknown keys split into one issue each, at most MAX_KEPT_ISSUES. */
export function toScanIssues(issues: readonly z.core.$ZodIssue[]): ScanIssue[] {
  const out: ScanIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: 'is not a field of this schema',
        });
      }
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
    if (out.length >= MAX_KEPT_ISSUES) break;
  }
  return out.slice(0, MAX_KEPT_ISSUES);
}

/** One line: `<what>: findings[3].line: must be ≥ 1; … (and 4 more)`. */
export function issuesMessage(what: string, issues: readonly ScanIssue[]): string {
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  const more = issues.length - MAX_LISTED_ISSUES;
  return `${what}: ${listed}${more > 0 ? ` (and ${more} more)` : ''}`;
}

function cut(text: string): string {
  return text.length > MAX_SEGMENT_CHARS ? `${text.slice(0, MAX_SEGMENT_CHARS)}…` : text;
}
