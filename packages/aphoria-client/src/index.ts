/**
 * `@stemedb/aphoria-client`: hosted scans for Aphoria. Everything not exported here is private.
 *
 * @module \@stemedb/aphoria-client
 */

// Config.
export {
  CONFIG_RELATIVE_PATH,
  type CreateHostedConfigOptions,
  createHostedConfig,
  DEFAULT_API_KEY_ENV,
  DEFAULT_SPOOL_DIR,
  findConfigFile,
  type LoadHostedConfigOptions,
  loadHostedConfig,
  URL_ENV,
} from './config.js';
// Comparing a branch with its base.
export {
  atOrAbove,
  type DiffScansOptions,
  diffScans,
  findingsToSarif,
  type ScanDiff,
} from './diff.js';
// Errors.
export {
  AphoriaHostedError,
  type AphoriaHostedErrorCode,
  AphoriaOptionsError,
  HostedAuthError,
  HostedConfigError,
  isAphoriaHostedError,
  NotStemeDbError,
  PersistIncompleteError,
  type ScanIssue,
  ScanValidationError,
  SpoolCorruptError,
  SpoolTargetError,
} from './errors.js';
// Findings across scans: new, open, fixed, reintroduced.
export {
  type FindingState,
  type FindingStateEntry,
  findingStates,
} from './finding-states.js';
// Persisting, the spool (helper A1).
export { flushSpool } from './flush.js';
// Reading a finding's or a project's history back.
export {
  type FindingHistoryEntry,
  type HistoryEntry,
  type ReadScanHistoryOptions,
  readScanHistory,
  type ScanHistoryEntry,
} from './history.js';
// The mapping.
export {
  assertionCount,
  assertionIdentity,
  type FindingValue,
  type ScanSummaryValue,
  scanToAssertions,
} from './mapping.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PERSIST_CONCURRENCY,
  type FlushOptions,
  MAX_PERSIST_CONCURRENCY,
  type PersistClientOptions,
  type PersistOptions,
  type RunOptions,
  type SpoolStatusOptions,
} from './persist/options.js';
export {
  type FlushResult,
  type IncompleteScan,
  MAX_LISTED_REJECTIONS,
  type PersistProgress,
  type PersistResult,
  type RejectedAssertion,
  type SendCounts,
  type SkippedJournal,
} from './persist/results.js';
export { persistScan, persistScanFile } from './persist.js';
// SARIF 2.1.0 input.
export {
  FingerprintCounter,
  normaliseText,
  PRIMARY_LOCATION_LINE_HASH,
} from './sarif/fingerprint.js';
export { NO_LOCATION_FILE } from './sarif/location.js';
export { type ParseSarifOptions, parseSarif } from './sarif/parse.js';
export { looksLikeSarif, readSarifFile } from './sarif/read.js';
export { LEVEL_SEVERITY, securitySeverity } from './sarif/severity.js';
// The scan file.
export {
  COMMIT_PATTERN,
  type Finding,
  FindingSchema,
  PROJECT_NAME_PATTERN,
  parseScan,
  readScanFile,
  type Scan,
  ScanSchema,
  SEVERITIES,
  type Severity,
} from './scan.js';
export { computeScanId, isScanId, SCAN_ID_PATTERN } from './scan-id.js';
export {
  type DeadLetterEntry,
  type ForeignJournalEntry,
  type SpoolEntry,
  type SpoolStatus,
  spoolStatus,
} from './spool-status.js';
export {
  FINDING_PREDICATE,
  FINDING_VALUE_SCHEMA,
  findingSubject,
  fingerprintSegment,
  SAFE_FINGERPRINT,
  SCAN_AGENT_PREFIX,
  SCAN_PREDICATE,
  SCAN_VALUE_SCHEMA,
  scanAgentId,
  scansSubject,
} from './subjects.js';
export type { HostedConfig, MappedAssertion } from './types.js';
export { CLIENT_NAME, CLIENT_VERSION } from './version.js';
