/**
 * The alerts Phase 2 requires Prometheus to have loaded: those `stemedb-manifests render`
 * puts in the bundle's PrometheusRule (the roadmap's six, and StemeDBBackupStale, which the
 * bundle adds with its backup). The admin package does not depend on the manifests package;
 * a test renders the bundle and checks this list against it.
 */

/** The alert whose firing is the kill test (roadmap: "Kill pod → StemeDBPodNotRunning fires"). */
export const POD_NOT_RUNNING_ALERT = 'StemeDBPodNotRunning';

/** Every alert the bundle renders with its defaults (backup on). */
export const BUNDLE_ALERTS: readonly string[] = Object.freeze([
  POD_NOT_RUNNING_ALERT,
  'StemeDBWALLatencyHigh',
  'StemeDBDataVolumeNearlyFull',
  'StemeDBRateLimitSaturating',
  'StemeDBErrorRateHigh',
  'StemeDBOOMKilled',
  'StemeDBBackupStale',
]);
