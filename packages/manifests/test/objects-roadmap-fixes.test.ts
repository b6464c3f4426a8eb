/**
 * Each defect of the roadmap's YAML (docs/operations/deployment/k8s-deploy-roadmap.md), and
 * what the bundle emits instead. One it() per defect.
 */
import { describe, expect, it } from 'vitest';
import { backupScript, buildBundle, type KubeObject } from '../src/index.js';
import { at, MINIMAL, pick, withConfig } from './objects-fixtures.js';

// The roadmap's backup is the rclone CronJob, now `backup.method: rclone` (the default is
// Longhorn's: objects-longhorn-backup.test.ts); everything else is the same either way.
const bundle = buildBundle(withConfig({ backup: { method: 'rclone' } }));
const deployment = pick(bundle, 'Deployment');
const podSpec = at(deployment, 'spec.template.spec') as Record<string, unknown>;
const server = at(deployment, 'spec.template.spec.containers.0') as Record<string, unknown>;
const cronJob = pick(bundle, 'CronJob');
const backupPod = at(cronJob, 'spec.jobTemplate.spec.template.spec') as Record<string, unknown>;

function allContainers(objects: readonly KubeObject[]): Record<string, unknown>[] {
  return [
    ...(at(pick(objects, 'Deployment'), 'spec.template.spec.containers') as Record<
      string,
      unknown
    >[]),
    ...(at(pick(objects, 'CronJob'), 'spec.jobTemplate.spec.template.spec.containers') as Record<
      string,
      unknown
    >[]),
  ];
}

describe('roadmap defects, fixed', () => {
  it('puts readOnlyRootFilesystem on the container, true, and mounts /tmp from an emptyDir', () => {
    expect(at(podSpec, 'securityContext.readOnlyRootFilesystem')).toBeUndefined();
    expect(at(server, 'securityContext.readOnlyRootFilesystem')).toBe(true);
    expect(server.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(podSpec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
  });

  it('hardens every container: no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    for (const c of allContainers(bundle)) {
      expect(c.securityContext, String(c.name)).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
  });

  it('lets nodes drain: the PDB allows one disruption instead of zero', () => {
    const pdb = pick(bundle, 'PodDisruptionBudget');
    expect(at(pdb, 'spec.maxUnavailable')).toBe(1);
    expect(at(pdb, 'spec.unhealthyPodEvictionPolicy')).toBe('AlwaysAllow');
  });

  it('allows DNS over UDP and TCP, to kube-dns in kube-system only', () => {
    const egress = at(pick(bundle, 'NetworkPolicy', 'stemedb-api'), 'spec.egress') as unknown[];
    expect(egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('gives every NetworkPolicy port a protocol', () => {
    const policies = bundle.filter((o) => o.kind === 'NetworkPolicy');
    const ports = policies.flatMap((p) => {
      const rules = [
        ...((at(p, 'spec.ingress') as unknown[]) ?? []),
        ...((at(p, 'spec.egress') as unknown[]) ?? []),
      ];
      return rules.flatMap((r) => (at(r, 'ports') as { protocol?: string }[] | undefined) ?? []);
    });
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.every((p) => p.protocol === 'UDP' || p.protocol === 'TCP')).toBe(true);
  });

  it('scrapes the Service port by its name, not "18180"', () => {
    const port = at(pick(bundle, 'ServiceMonitor'), 'spec.endpoints.0.port');
    expect(port).toBe('http');
    expect(at(pick(bundle, 'Service'), 'spec.ports.0.name')).toBe(port);
  });

  it('names the container port', () => {
    expect(at(server, 'ports.0.name')).toBe('http');
  });

  it("refers to the Middleware by the emitted one's name and namespace", () => {
    const mw = pick(bundle, 'Middleware');
    expect(at(pick(bundle, 'IngressRoute'), 'spec.routes.0.middlewares')).toEqual([
      { name: mw.metadata.name, namespace: mw.metadata.namespace },
    ]);
  });

  it('keeps the middleware reference right when the namespace changes', () => {
    const other = buildBundle({ ...MINIMAL, namespace: 'steme-staging' });
    expect(at(pick(other, 'IngressRoute'), 'spec.routes.0.middlewares')).toEqual([
      { name: 'ratelimit', namespace: 'steme-staging' },
    ]);
  });

  // The roadmap's Ingress routed `Prefix /` to the port Prometheus scrapes: /metrics was public.
  it('routes the public host but not the scrape path, which the ServiceMonitor reaches in-cluster', () => {
    const scrape = at(pick(bundle, 'ServiceMonitor'), 'spec.endpoints.0.path');
    expect(bundle.filter((o) => o.kind === 'Ingress')).toEqual([]);
    expect(at(pick(bundle, 'IngressRoute'), 'spec.routes.0.match')).toBe(
      `Host(\`stemedb.threesix.ai\`) && !PathPrefix(\`${scrape}\`)`,
    );
  });

  it('asks cert-manager for the certificate the IngressRoute serves (ingress-shim reads Ingresses only)', () => {
    const route = pick(bundle, 'IngressRoute');
    const cert = pick(bundle, 'Certificate');
    expect(at(cert, 'spec.secretName')).toBe(at(route, 'spec.tls.secretName'));
    expect(at(cert, 'spec.dnsNames')).toEqual(['stemedb.threesix.ai']);
    expect(at(cert, 'spec.issuerRef')).toEqual({
      group: 'cert-manager.io',
      kind: 'ClusterIssuer',
      name: 'letsencrypt-prod',
    });
  });

  it('uses Traefik v3 and ESO v1 API groups', () => {
    expect(pick(bundle, 'Middleware').apiVersion).toBe('traefik.io/v1alpha1');
    for (const es of bundle.filter((o) => o.kind === 'ExternalSecret')) {
      expect(es.apiVersion).toBe('external-secrets.io/v1');
    }
  });

  it('never emits a :latest or untagged image', () => {
    for (const c of allContainers(bundle)) {
      expect(String(c.image)).toMatch(/:[\w][\w.-]*$|@sha256:/);
      expect(String(c.image)).not.toMatch(/:latest$/);
    }
  });

  it('drops the prometheus.io annotations in favour of the ServiceMonitor', () => {
    expect(at(deployment, 'spec.template.metadata.annotations')).toBeUndefined();
  });

  it('turns auth on, which the roadmap spec leaves out', () => {
    expect(server.env).toContainEqual({ name: 'STEMEDB_AUTH_ENABLED', value: 'true' });
  });

  it('keeps the Recreate strategy and one replica for the RWO volumes', () => {
    expect(at(deployment, 'spec.strategy')).toEqual({ type: 'Recreate' });
    expect(at(deployment, 'spec.replicas')).toBe(1);
  });

  it('pins the backup pod to the server pod node, mounting the volumes read-only', () => {
    expect(
      at(backupPod, 'affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution'),
    ).toEqual([
      {
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'stemedb-api' } },
        topologyKey: 'kubernetes.io/hostname',
      },
    ]);
    const mounts = at(backupPod, 'containers.0.volumeMounts') as {
      name: string;
      readOnly?: boolean;
    }[];
    expect(mounts.filter((m) => m.name === 'wal' || m.name === 'db').every((m) => m.readOnly)).toBe(
      true,
    );
  });

  it('keeps the backup pods out of the server selector', () => {
    const labels = at(cronJob, 'spec.jobTemplate.spec.template.metadata.labels') as Record<
      string,
      string
    >;
    expect(labels['app.kubernetes.io/name']).toBe('stemedb-backup');
  });

  it('tells rclone where its config is, and creates that Secret through an ExternalSecret', () => {
    expect(at(backupPod, 'containers.0.env')).toContainEqual({
      name: 'RCLONE_CONFIG',
      value: '/config/rclone/rclone.conf',
    });
    const secretName = at(backupPod, 'volumes.2.secret.secretName');
    expect(pick(bundle, 'ExternalSecret', String(secretName))).toBeDefined();
  });

  it('writes a backup script that busybox sh can run: no head -n -1, ordered filters', () => {
    const script = backupScript();
    expect(script).not.toMatch(/head -n -/);
    expect(script).not.toMatch(/--include|--exclude/);
    expect(script).toMatch(/tail -n 1/);
    expect(script).toMatch(/--filter "- \/\$newest" --filter "\+ \/\*\.wal" --filter "- \*\*"/);
    expect(at(backupPod, 'containers.0.command')).toEqual(['/bin/sh', '-c', script]);
  });

  it('fences the backup pods: no ingress, egress to DNS and HTTPS only', () => {
    const np = pick(bundle, 'NetworkPolicy', 'stemedb-backup');
    expect(at(np, 'spec.podSelector.matchLabels')).toEqual({
      'app.kubernetes.io/name': 'stemedb-backup',
    });
    expect(at(np, 'spec.ingress')).toEqual([]);
    expect((at(np, 'spec.egress') as unknown[]).length).toBe(2);
  });

  it('creates the Longhorn StorageClass with two replicas that the PVCs use', () => {
    const sc = pick(bundle, 'StorageClass');
    for (const pvc of bundle.filter((o) => o.kind === 'PersistentVolumeClaim')) {
      expect(at(pvc, 'spec.storageClassName')).toBe(sc.metadata.name);
      expect(pvc.metadata.annotations).toBeUndefined();
    }
  });
});
