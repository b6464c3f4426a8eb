/**
 * Where a scan's assertions live in StemeDB: the subjects, predicates and agent id that
 * {@link scanToAssertions} writes and {@link readScanHistory} reads back. One table, so the
 * writer and the reader cannot drift apart.
 */
import { createHash } from 'node:crypto';

/** The predicate of one finding's assertion. */
export const FINDING_PREDICATE = 'aphoria.finding';
/** The predicate of a scan's summary assertion. */
export const SCAN_PREDICATE = 'aphoria.scan';
/** `value.schema` of a finding's assertion. */
export const FINDING_VALUE_SCHEMA = 'aphoria.finding/v1';
/** `value.schema` of a scan summary's assertion. */
export const SCAN_VALUE_SCHEMA = 'aphoria.scan/v1';
/** Every assertion of a scan has the agent id `aphoria-scan/<scan id>`. */
export const SCAN_AGENT_PREFIX = 'aphoria-scan/';

/**
 * A fingerprint that is used as it is in a subject. Anything else (slashes, spaces, unicode,
 * longer than 200) is replaced by `sha256-` + 32 hex of it, and so is anything of that very form,
 * so that no fingerprint can take another's place.
 */
export const SAFE_FINGERPRINT = /^[A-Za-z0-9._:-]{1,200}$/;
const HASHED_FORM = /^sha256-[0-9a-f]{32}$/;

/** The last segment of a finding's subject. */
export function fingerprintSegment(fingerprint: string): string {
  if (SAFE_FINGERPRINT.test(fingerprint) && !HASHED_FORM.test(fingerprint)) return fingerprint;
  return `sha256-${createHash('sha256').update(fingerprint, 'utf8').digest('hex').slice(0, 32)}`;
}

/** `aphoria/<project>/finding/<fingerprint segment>`: the same on every run for one finding. */
export function findingSubject(project: string, fingerprint: string): string {
  return `aphoria/${project}/finding/${fingerprintSegment(fingerprint)}`;
}

/** `aphoria/<project>/scans`: every scan summary of a project. */
export function scansSubject(project: string): string {
  return `aphoria/${project}/scans`;
}

/** The `agent_id` of every assertion of the scan with this id: `aphoria-scan/<scanId>`. */
export function scanAgentId(scanId: string): string {
  return `${SCAN_AGENT_PREFIX}${scanId}`;
}
