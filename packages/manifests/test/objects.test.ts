import { describe, expect, it } from 'vitest';
import { buildBundle, validate } from '../src/index.js';
import { at, MINIMAL, pick, refs, withConfig } from './objects-fixtures.js';

const bundle = buildBundle(MINIMAL);

describe('buildBundle: every object, in apply order', () => {
  it('emits the roadmap objects plus the ones it left out, in apply order', () => {
    expect(refs(bundle)).toEqual([
      'Namespace/stemedb',
      'StorageClass/longhorn-stemedb',
      'ExternalSecret/stemedb-secrets',
      'ExternalSecret/gcr-secret',
      'ExternalSecret/rclone-gcs-config',
      'PersistentVolumeClaim/stemedb-wal',
      'PersistentVolumeClaim/stemedb-db',
      'NetworkPolicy/stemedb-api',
      'NetworkPolicy/stemedb-backup',
      'Service/stemedb-api',
      'Deployment/stemedb-api',
      'PodDisruptionBudget/stemedb-api',
      'Middleware/ratelimit',
      'Ingress/stemedb-api',
      'CronJob/stemedb-backup',
      'ServiceMonitor/stemedb-api',
      'PrometheusRule/stemedb-alerts',
    ]);
  });

  it('puts every namespaced object in the config namespace', () => {
    const namespaced = bundle.filter((o) => !['Namespace', 'StorageClass'].includes(o.kind));
    expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set(['stemedb']));
  });

  it('labels every object as part of stemedb, managed by this package', () => {
    for (const o of bundle) {
      expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({
        'app.kubernetes.io/part-of': 'stemedb',
        'app.kubernetes.io/managed-by': 'stemedb-manifests',
      });
    }
  });

  it('uses API versions the target cluster serves', () => {
    const versions = Object.fromEntries(bundle.map((o) => [o.kind, o.apiVersion]));
    expect(versions).toMatchObject({
      Middleware: 'traefik.io/v1alpha1',
      ExternalSecret: 'external-secrets.io/v1',
      ServiceMonitor: 'monitoring.coreos.com/v1',
      PrometheusRule: 'monitoring.coreos.com/v1',
      CronJob: 'batch/v1',
      PodDisruptionBudget: 'policy/v1',
    });
  });

  it('passes validate() without errors', () => {
    // A rule that throws is reported as validate/rule-failed: a bug in that rule, not in the
    // objects, so it is left to the validation tests.
    const errors = validate(bundle).findings.filter(
      (f) => f.severity === 'error' && f.ruleId !== 'validate/rule-failed',
    );
    expect(errors).toEqual([]);
  });
});

describe('key fields of each object', () => {
  const container = 'spec.template.spec.containers.0';
  const job = 'spec.jobTemplate.spec.template.spec';
  it.each<[string, string | undefined, string, unknown]>([
    ['StorageClass', undefined, 'provisioner', 'driver.longhorn.io'],
    ['StorageClass', undefined, 'parameters.numberOfReplicas', '2'],
    ['StorageClass', undefined, 'parameters.dataLocality', 'best-effort'],
    ['StorageClass', undefined, 'reclaimPolicy', 'Retain'],
    ['StorageClass', undefined, 'allowVolumeExpansion', true],
    [
      'ExternalSecret',
      'stemedb-secrets',
      'spec.secretStoreRef',
      { name: 'gcp-secret-manager', kind: 'ClusterSecretStore' },
    ],
    [
      'ExternalSecret',
      'stemedb-secrets',
      'spec.data.0',
      { secretKey: 'root-api-key', remoteRef: { key: 'stemedb-root-api-key' } },
    ],
    ['ExternalSecret', 'stemedb-secrets', 'spec.refreshInterval', '1h'],
    ['ExternalSecret', 'rclone-gcs-config', 'spec.target.name', 'rclone-gcs-config'],
    ['ExternalSecret', 'rclone-gcs-config', 'spec.data.0.remoteRef.key', 'stemedb-backup-gcs-sa'],
    ['PersistentVolumeClaim', 'stemedb-wal', 'spec.resources.requests.storage', '20Gi'],
    ['PersistentVolumeClaim', 'stemedb-db', 'spec.resources.requests.storage', '50Gi'],
    ['PersistentVolumeClaim', 'stemedb-db', 'spec.accessModes', ['ReadWriteOnce']],
    ['PersistentVolumeClaim', 'stemedb-db', 'spec.storageClassName', 'longhorn-stemedb'],
    ['Deployment', undefined, 'spec.replicas', 1],
    ['Deployment', undefined, 'spec.strategy', { type: 'Recreate' }],
    [
      'Deployment',
      undefined,
      'spec.selector.matchLabels',
      { 'app.kubernetes.io/name': 'stemedb-api' },
    ],
    ['Deployment', undefined, 'spec.template.spec.terminationGracePeriodSeconds', 30],
    ['Deployment', undefined, 'spec.template.spec.imagePullSecrets', [{ name: 'gcr-secret' }]],
    ['Deployment', undefined, 'spec.template.spec.securityContext.runAsNonRoot', true],
    [
      'Deployment',
      undefined,
      'spec.template.spec.securityContext.seccompProfile',
      { type: 'RuntimeDefault' },
    ],
    ['Deployment', undefined, 'spec.template.spec.automountServiceAccountToken', false],
    [
      'Deployment',
      undefined,
      `${container}.image`,
      'us-central1-docker.pkg.dev/orchard9/docker-images/stemedb-api:0.9.0',
    ],
    [
      'Deployment',
      undefined,
      `${container}.ports`,
      [{ name: 'http', containerPort: 18180, protocol: 'TCP' }],
    ],
    [
      'Deployment',
      undefined,
      `${container}.resources`,
      { requests: { cpu: '500m', memory: '4Gi' }, limits: { cpu: '2000m', memory: '4Gi' } },
    ],
    [
      'Deployment',
      undefined,
      `${container}.startupProbe.httpGet`,
      { path: '/v1/health', port: 'http' },
    ],
    ['Deployment', undefined, `${container}.startupProbe.failureThreshold`, 12],
    ['Deployment', undefined, `${container}.livenessProbe.periodSeconds`, 15],
    ['Deployment', undefined, `${container}.securityContext.readOnlyRootFilesystem`, true],
    ['Deployment', undefined, `${container}.securityContext.allowPrivilegeEscalation`, false],
    ['Deployment', undefined, `${container}.securityContext.capabilities`, { drop: ['ALL'] }],
    ['Service', undefined, 'spec.type', 'ClusterIP'],
    [
      'Service',
      undefined,
      'spec.ports',
      [{ name: 'http', port: 18180, targetPort: 'http', protocol: 'TCP' }],
    ],
    ['Service', undefined, 'spec.selector', { 'app.kubernetes.io/name': 'stemedb-api' }],
    ['Ingress', undefined, 'spec.ingressClassName', 'traefik'],
    ['Ingress', undefined, 'spec.rules.0.host', 'stemedb.threesix.ai'],
    [
      'Ingress',
      undefined,
      'spec.tls',
      [{ hosts: ['stemedb.threesix.ai'], secretName: 'stemedb-tls' }],
    ],
    [
      'Ingress',
      undefined,
      'spec.rules.0.http.paths.0.backend.service',
      { name: 'stemedb-api', port: { name: 'http' } },
    ],
    [
      'Middleware',
      undefined,
      'spec.rateLimit',
      { average: 500, burst: 1000, period: '1s', sourceCriterion: { requestHost: true } },
    ],
    ['CronJob', undefined, 'spec.schedule', '0 */6 * * *'],
    ['CronJob', undefined, 'spec.concurrencyPolicy', 'Forbid'],
    ['CronJob', undefined, `${job}.containers.0.image`, 'rclone/rclone:1.68.2'],
    ['CronJob', undefined, `${job}.volumes.2.secret.secretName`, 'rclone-gcs-config'],
    ['ServiceMonitor', undefined, 'metadata.labels.release', 'prometheus'],
    [
      'ServiceMonitor',
      undefined,
      'spec.endpoints',
      [{ port: 'http', path: '/metrics', interval: '15s' }],
    ],
    [
      'ServiceMonitor',
      undefined,
      'spec.selector.matchLabels',
      { 'app.kubernetes.io/name': 'stemedb-api' },
    ],
    ['PodDisruptionBudget', undefined, 'spec.maxUnavailable', 1],
    ['PrometheusRule', undefined, 'metadata.labels.release', 'prometheus'],
  ])('%s %s has %s', (kind, name, path, want) => {
    expect(at(pick(bundle, kind, name), path)).toEqual(want);
  });

  it('enforces the restricted Pod Security Standard on the namespace', () => {
    expect(pick(bundle, 'Namespace').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  it('sets the roadmap env vars, auth on, and the root key from its Secret', () => {
    const env = at(pick(bundle, 'Deployment'), `${container}.env`) as { name: string }[];
    expect(env).toEqual([
      { name: 'STEMEDB_BIND_ADDR', value: '0.0.0.0:18180' },
      { name: 'STEMEDB_WAL_DIR', value: '/data/wal' },
      { name: 'STEMEDB_DB_DIR', value: '/data/db' },
      { name: 'STEMEDB_AUTH_ENABLED', value: 'true' },
      { name: 'STEMEDB_METER_ENABLED', value: 'true' },
      {
        name: 'STEMEDB_ROOT_API_KEY',
        valueFrom: { secretKeyRef: { name: 'stemedb-secrets', key: 'root-api-key' } },
      },
    ]);
  });

  it("has the roadmap's six alerts and StemeDBBackupStale in the PrometheusRule", () => {
    const groups = at(pick(bundle, 'PrometheusRule'), 'spec.groups') as {
      rules: { alert?: string; expr: string }[];
    }[];
    const rules = groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(rules).toHaveLength(7);
    const backup = rules.find((r) => r.alert === 'StemeDBBackupStale');
    expect(backup?.expr).toContain(
      'kube_cronjob_status_last_successful_time{namespace="stemedb", cronjob="stemedb-backup"}) > 43200',
    );
  });

  it('has no backup alert when backup is off', () => {
    const groups = at(
      pick(buildBundle(withConfig({ backup: { enabled: false } })), 'PrometheusRule'),
      'spec.groups',
    ) as { rules: { alert?: string }[] }[];
    const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toHaveLength(6);
    expect(alerts).not.toContain('StemeDBBackupStale');
  });

  it('takes the backup alert age from monitoring.alerts.backupMaxAgeSeconds', () => {
    const config = withConfig({ monitoring: { alerts: { backupMaxAgeSeconds: 172800 } } });
    const groups = at(pick(buildBundle(config), 'PrometheusRule'), 'spec.groups') as {
      rules: { alert?: string; expr: string }[];
    }[];
    const backup = groups.flatMap((g) => g.rules).find((r) => r.alert === 'StemeDBBackupStale');
    expect(backup?.expr).toMatch(/\) > 172800\n/);
  });

  it('renders the rclone config into the backup Secret from the service-account key', () => {
    const template = at(
      pick(bundle, 'ExternalSecret', 'rclone-gcs-config'),
      'spec.target.template.data',
    ) as Record<string, string>;
    expect(template['rclone.conf']).toContain('type = google cloud storage');
    expect(template['rclone.conf']).toContain(
      'service_account_file = /config/rclone/service-account.json',
    );
    expect(template['service-account.json']).toBe('{{ .credentials }}');
  });
});
