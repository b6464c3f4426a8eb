/**
 * The roadmap's own manifests are a test fixture: parsed out of the document as it
 * is, validated, and the report must name each of their defects, and nothing else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatReport, validate } from '../src/validate/index.js';
import {
  extractBlocks,
  loadRoadmap,
  ROADMAP_PATH,
  SHARED_ROADMAP_PATH,
} from './fixtures/roadmap.js';

const roadmap = loadRoadmap();
const report = validate(roadmap.objects, {
  kustomization: { resources: roadmap.kustomizationResources, files: [...roadmap.files.keys()] },
});
const lines = report.findings.map((f) => `${f.ruleId} ${f.object} ${f.path}`);

const D = 'Deployment/stemedb/stemedb-api';
const C = 'CronJob/stemedb/stemedb-backup';
const PR = 'PrometheusRule/stemedb/stemedb-alerts';
const POD = 'spec.template.spec';
const CTR = 'spec.template.spec.containers[0]';
const JOB_POD = 'spec.jobTemplate.spec.template.spec';
const JOB_CTR = 'spec.jobTemplate.spec.template.spec.containers[0]';

describe('the roadmap extractor', () => {
  it.runIf(existsSync(SHARED_ROADMAP_PATH))(
    'reads a verbatim copy of shared/seed/k8s-deploy-roadmap.md',
    () => {
      expect(readFileSync(ROADMAP_PATH, 'utf8')).toBe(readFileSync(SHARED_ROADMAP_PATH, 'utf8'));
    },
  );

  it('finds every manifest block and the file the roadmap puts it in', () => {
    expect([...roadmap.files.keys()]).toEqual([
      'namespace.yaml',
      'pvc.yaml',
      'deployment.yaml',
      'service.yaml',
      'ingress.yaml',
      'middleware.yaml',
      'external-secret.yaml',
      'backup-cronjob.yaml',
      'service-monitor.yaml',
      'alert-rules.yaml',
      'network-policy.yaml',
      'pdb.yaml',
    ]);
    expect(roadmap.files.get('pvc.yaml')?.map((o) => o.metadata.name)).toEqual([
      'stemedb-wal',
      'stemedb-db',
    ]);
    expect(roadmap.objects).toHaveLength(13);
    expect(roadmap.kustomizationResources).toHaveLength(7);
  });

  it('keeps blank lines inside a block and stops at the prose after it', () => {
    const alerts = roadmap.files.get('alert-rules.yaml')![0]!;
    expect((alerts.spec as { groups: { rules: unknown[] }[] }).groups[0]!.rules).toHaveLength(6);
    const text = readFileSync(ROADMAP_PATH, 'utf8');
    const blocks = extractBlocks(text);
    expect(blocks.every((b) => !/\nDeploy:|\nSet numberOfReplicas/.test(b.text))).toBe(true);
  });
});

describe("the roadmap's manifests", () => {
  it('fail validation', () => {
    expect(report.ok).toBe(false);
  });

  it.each([
    [
      'readOnlyRootFilesystem on the pod securityContext',
      `schema/unknown-field ${D} ${POD}.securityContext.readOnlyRootFilesystem`,
    ],
    [
      'a startup window (5 s × 12 = 60 s) exactly the WAL replay, with no margin',
      `policy/startup-window-too-short ${D} ${CTR}.startupProbe`,
    ],
    [
      'a liveness probe as tight as readiness, with a 1 s timeout',
      `policy/liveness-kills-slow-database ${D} ${CTR}.livenessProbe`,
    ],
    [
      'a PDB with maxUnavailable 0',
      'policy/pdb-blocks-eviction PodDisruptionBudget/stemedb/stemedb-api spec.maxUnavailable',
    ],
    [
      'DNS egress without UDP',
      'policy/network-policy-dns NetworkPolicy/stemedb/stemedb-api spec.egress[0].ports[0]',
    ],
    [
      'a numeric ServiceMonitor port',
      'ref/servicemonitor-port ServiceMonitor/stemedb/stemedb-api spec.endpoints[0].port',
    ],
    [
      'a ServiceMonitor selecting an unlabelled Service',
      'ref/servicemonitor-selector ServiceMonitor/stemedb/stemedb-api spec.selector',
    ],
    [':latest on the server', `policy/image-latest ${D} ${CTR}.image`],
    [':latest on the backup', `policy/image-latest ${C} ${JOB_CTR}.image`],
    ['the <REGISTRY> placeholder', `policy/placeholder-value ${D} ${CTR}.image`],
    [
      'the placeholder host stemedb.yourdomain.com',
      'policy/placeholder-host Ingress/stemedb/stemedb-api spec.rules[0].host',
    ],
    [
      'traefik.containo.us, which Traefik v3 does not read',
      'schema/removed-api Middleware/stemedb/ratelimit apiVersion',
    ],
    [
      'external-secrets.io/v1beta1',
      'schema/deprecated-api ExternalSecret/stemedb/stemedb-secrets apiVersion',
    ],
    [
      'a middleware annotation naming no Middleware Traefik reads',
      'ref/ingress-middleware Ingress/stemedb/stemedb-api metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"]',
    ],
    [
      'the error-rate ratio without aggregation',
      `promql/ratio-without-aggregation ${PR} spec.groups[0].rules[4].expr`,
    ],
    [
      'Secret rclone-gcs-config, which nothing produces',
      `ref/secret-not-produced ${C} ${JOB_POD}.volumes[2].secret.secretName`,
    ],
    [
      'a backup on the RWO volumes with no affinity to the server',
      `policy/backup-rwo-affinity ${C} ${JOB_POD}.affinity.podAffinity`,
    ],
    ['a server without STEMEDB_AUTH_ENABLED', `policy/stemedb-auth ${D} ${CTR}.env`],
    [
      'a kustomization without the Phase 2 files',
      'ref/kustomization-files Kustomization/kustomization.yaml resources',
    ],
  ])('names %s', (_what, line) => {
    expect(lines).toContain(line);
  });

  it('names the missing kustomization entries one by one', () => {
    const missing = report.findings
      .filter((f) => f.ruleId === 'ref/kustomization-files')
      .map((f) => f.message);
    for (const file of [
      'backup-cronjob.yaml',
      'service-monitor.yaml',
      'alert-rules.yaml',
      'network-policy.yaml',
      'pdb.yaml',
    ]) {
      expect(missing.some((m) => m.includes(file))).toBe(true);
    }
  });

  it('says where the misplaced field belongs', () => {
    const finding = report.findings.find((f) => f.ruleId === 'schema/unknown-field');
    expect(finding?.fix).toContain(`${POD}.containers[*].securityContext.readOnlyRootFilesystem`);
  });

  it('reports exactly these findings, and nothing the roadmap gets right', () => {
    expect(lines).toEqual([
      `schema/unknown-field ${D} ${POD}.securityContext.readOnlyRootFilesystem`,
      // No tolerations: Kubernetes' 300 s on a failed node (docs/node-failure.md).
      `policy/node-failure ${D} ${POD}.tolerations`,
      `policy/placeholder-value ${D} ${CTR}.image`,
      `policy/image-latest ${D} ${CTR}.image`,
      `policy/stemedb-auth ${D} ${CTR}.env`,
      `policy/allow-privilege-escalation ${D} ${CTR}.securityContext.allowPrivilegeEscalation`,
      `policy/capabilities-not-dropped ${D} ${CTR}.securityContext.capabilities.drop`,
      `policy/seccomp-profile ${D} ${POD}.securityContext.seccompProfile`,
      `policy/read-only-root-filesystem ${D} ${CTR}.securityContext.readOnlyRootFilesystem`,
      `policy/memory-request-below-limit ${D} ${CTR}.resources.requests.memory`,
      `policy/startup-window-too-short ${D} ${CTR}.startupProbe`,
      `policy/liveness-kills-slow-database ${D} ${CTR}.livenessProbe`,
      `policy/fsgroup-change-policy ${D} ${POD}.securityContext.fsGroupChangePolicy`,
      'ref/ingress-middleware Ingress/stemedb/stemedb-api metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"]',
      'policy/placeholder-host Ingress/stemedb/stemedb-api spec.rules[0].host',
      'policy/placeholder-host Ingress/stemedb/stemedb-api spec.tls[0].hosts[0]',
      'schema/removed-api Middleware/stemedb/ratelimit apiVersion',
      'schema/deprecated-api ExternalSecret/stemedb/stemedb-secrets apiVersion',
      `ref/secret-not-produced ${C} ${JOB_POD}.volumes[2].secret.secretName`,
      `policy/image-latest ${C} ${JOB_CTR}.image`,
      `policy/run-as-non-root ${C} ${JOB_POD}.securityContext.runAsNonRoot`,
      `policy/allow-privilege-escalation ${C} ${JOB_CTR}.securityContext.allowPrivilegeEscalation`,
      `policy/capabilities-not-dropped ${C} ${JOB_CTR}.securityContext.capabilities.drop`,
      `policy/seccomp-profile ${C} ${JOB_POD}.securityContext.seccompProfile`,
      `policy/read-only-root-filesystem ${C} ${JOB_CTR}.securityContext.readOnlyRootFilesystem`,
      `policy/resources-missing ${C} ${JOB_CTR}.resources.requests`,
      `policy/memory-limit-missing ${C} ${JOB_CTR}.resources.limits.memory`,
      // One per claim: stemedb-wal and stemedb-db.
      `policy/backup-rwo-affinity ${C} ${JOB_POD}.affinity.podAffinity`,
      `policy/backup-rwo-affinity ${C} ${JOB_POD}.affinity.podAffinity`,
      `policy/job-deadline ${C} spec.jobTemplate.spec.activeDeadlineSeconds`,
      `policy/backup-unmonitored ${C} metadata.name`,
      // The rclone copy of the live WAL and DB volumes, one per claim.
      `policy/backup-not-crash-consistent ${C} ${JOB_POD}.volumes[0].persistentVolumeClaim.claimName`,
      `policy/backup-not-crash-consistent ${C} ${JOB_POD}.volumes[1].persistentVolumeClaim.claimName`,
      'ref/servicemonitor-selector ServiceMonitor/stemedb/stemedb-api spec.selector',
      'ref/servicemonitor-port ServiceMonitor/stemedb/stemedb-api spec.endpoints[0].port',
      `promql/ratio-without-aggregation ${PR} spec.groups[0].rules[4].expr`,
      `promql/histogram-quantile-unaggregated ${PR} spec.groups[0].rules[1].expr`,
      `promql/absent-comparison ${PR} spec.groups[0].rules[0].expr`,
      `promql/threshold-on-series-rate ${PR} spec.groups[0].rules[3].expr`,
      'policy/network-policy-dns NetworkPolicy/stemedb/stemedb-api spec.egress[0].ports[0]',
      'policy/pdb-blocks-eviction PodDisruptionBudget/stemedb/stemedb-api spec.maxUnavailable',
      ...Array(5).fill('ref/kustomization-files Kustomization/kustomization.yaml resources'),
    ]);
  });

  it('renders as one readable report', () => {
    const text = formatReport(report);
    expect(text).toContain(
      'Middleware/stemedb/ratelimit\n  error   apiVersion  [schema/removed-api]',
    );
    expect(text).toMatch(/\d+ errors, \d+ warnings\.\n$/);
  });
});
