/** How the config changes the bundle: volume layouts, optional objects, names and images. */
import { describe, expect, it } from 'vitest';
import {
  assertBundleInvariants,
  BundleInvariantError,
  buildBundle,
  ConfigError,
  type KubeObject,
} from '../src/index.js';
import { at, MINIMAL, pick, refs, withConfig } from './objects-fixtures.js';

describe('volume layouts', () => {
  it('split: a WAL and a DB claim, mounted at /data/wal and /data/db', () => {
    const b = buildBundle(
      withConfig({ storage: { volumes: { layout: 'split', walSize: '30Gi', dbSize: '80Gi' } } }),
    );
    const sizes = b
      .filter((o) => o.kind === 'PersistentVolumeClaim')
      .map((o) => [o.metadata.name, at(o, 'spec.resources.requests.storage')]);
    expect(sizes).toEqual([
      ['stemedb-wal', '30Gi'],
      ['stemedb-db', '80Gi'],
    ]);
    expect(at(pick(b, 'Deployment'), 'spec.template.spec.containers.0.volumeMounts')).toEqual([
      { name: 'wal', mountPath: '/data/wal' },
      { name: 'db', mountPath: '/data/db' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });

  it('single: one data claim mounted at /data, the server paths unchanged', () => {
    const b = buildBundle(withConfig({ storage: { volumes: { layout: 'single', size: '60Gi' } } }));
    const pvc = pick(b, 'PersistentVolumeClaim');
    expect(pvc.metadata.name).toBe('stemedb-data');
    expect(at(pvc, 'spec.resources.requests.storage')).toBe('60Gi');
    const container = at(pick(b, 'Deployment'), 'spec.template.spec.containers.0');
    expect(at(container, 'volumeMounts')).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(at(container, 'env')).toEqual(
      expect.arrayContaining([
        { name: 'STEMEDB_WAL_DIR', value: '/data/wal' },
        { name: 'STEMEDB_DB_DIR', value: '/data/db' },
      ]),
    );
  });

  it('single: the backup job mounts the same one claim read-only', () => {
    const b = buildBundle(
      withConfig({ storage: { volumes: { layout: 'single' } }, backup: { method: 'rclone' } }),
    );
    const pod = at(pick(b, 'CronJob'), 'spec.jobTemplate.spec.template.spec');
    expect(at(pod, 'containers.0.volumeMounts.0')).toEqual({
      name: 'data',
      mountPath: '/data',
      readOnly: true,
    });
    expect(at(pod, 'volumes.0')).toEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'stemedb-data' },
    });
  });
});

describe('optional objects', () => {
  it.each<{ name: string; given: Record<string, unknown>; absent: string[] }>([
    {
      name: 'backup off',
      given: { backup: { enabled: false } },
      absent: ['RecurringJob/stemedb-backup'],
    },
    {
      name: 'monitoring off',
      given: { monitoring: { enabled: false } },
      absent: ['ServiceMonitor/stemedb-api', 'PrometheusRule/stemedb-alerts'],
    },
    {
      name: 'rate limit off',
      given: { rateLimit: { enabled: false } },
      absent: ['Middleware/ratelimit'],
    },
    {
      name: 'network policy off',
      given: { networkPolicy: { enabled: false } },
      absent: ['NetworkPolicy/stemedb-api', 'NetworkPolicy/stemedb-backup'],
    },
    {
      name: 'PDB off',
      given: { podDisruptionBudget: { enabled: false } },
      absent: ['PodDisruptionBudget/stemedb-api'],
    },
    {
      name: 'existing storage class',
      given: { storage: { storageClass: { create: false, name: 'longhorn' } } },
      absent: ['StorageClass/longhorn-stemedb'],
    },
  ])('$name: leaves out exactly $absent', ({ given, absent }) => {
    const all = refs(buildBundle(MINIMAL));
    const some = refs(buildBundle(withConfig(given)));
    expect(some).toEqual(all.filter((r) => !absent.includes(r)));
  });

  it('without the rate limit, the IngressRoute names no middleware', () => {
    const route = pick(buildBundle(withConfig({ rateLimit: { enabled: false } })), 'IngressRoute');
    expect(at(route, 'spec.routes.0')).not.toHaveProperty('middlewares');
  });

  it('with an existing storage class, the PVCs use it by name', () => {
    const b = buildBundle(
      withConfig({ storage: { storageClass: { create: false, name: 'longhorn' } } }),
    );
    expect(
      b
        .filter((o) => o.kind === 'PersistentVolumeClaim')
        .map((p) => at(p, 'spec.storageClassName')),
    ).toEqual(['longhorn', 'longhorn']);
  });

  it('without a cluster issuer, no Certificate: the TLS secret comes from the cluster', () => {
    const b = buildBundle(
      withConfig({ ingress: { host: 'stemedb.threesix.ai', clusterIssuer: null } }),
    );
    expect(b.filter((o) => o.kind === 'Certificate')).toEqual([]);
    expect(at(pick(b, 'IngressRoute'), 'spec.tls.secretName')).toBe('stemedb-tls');
  });

  it('client-ip scope: Traefik default source criterion', () => {
    const mw = pick(buildBundle(withConfig({ rateLimit: { scope: 'client-ip' } })), 'Middleware');
    expect(at(mw, 'spec.rateLimit')).toEqual({ average: 500, burst: 1000, period: '1s' });
  });

  it('HTTPS egress for the server only when asked', () => {
    const np = pick(
      buildBundle(withConfig({ networkPolicy: { allowHttpsEgress: true } })),
      'NetworkPolicy',
      'stemedb-api',
    );
    expect(at(np, 'spec.egress.1')).toEqual({ ports: [{ protocol: 'TCP', port: 443 }] });
  });

  it('lets Prometheus in from the configured monitoring namespace', () => {
    const np = pick(
      buildBundle(withConfig({ monitoring: { prometheusNamespace: 'observability' } })),
      'NetworkPolicy',
      'stemedb-api',
    );
    expect(at(np, 'spec.ingress.0.from.1')).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
    });
  });
});

describe('images and pull secrets', () => {
  const digest = `sha256:${'b'.repeat(64)}`;

  it.each([
    [{ tag: '1.2.3' }, 'us-central1-docker.pkg.dev/orchard9/docker-images/stemedb-api:1.2.3'],
    [{ digest }, `us-central1-docker.pkg.dev/orchard9/docker-images/stemedb-api@${digest}`],
    [
      { tag: '1.2.3', digest },
      `us-central1-docker.pkg.dev/orchard9/docker-images/stemedb-api:1.2.3@${digest}`,
    ],
    [
      { registry: 'registry.local:5000/steme', tag: 'v2' },
      'registry.local:5000/steme/stemedb-api:v2',
    ],
  ])('image %j is %s', (image, want) => {
    expect(
      at(
        pick(buildBundle(withConfig({ image })), 'Deployment'),
        'spec.template.spec.containers.0.image',
      ),
    ).toBe(want);
  });

  it('creates the pull Secret through an ExternalSecret from its remote key', () => {
    const b = buildBundle(
      withConfig({
        image: {
          tag: '1.0.0',
          pullSecret: { name: 'gcr-secret', remoteKey: 'gar-dockerconfigjson' },
        },
      }),
    );
    const es = pick(b, 'ExternalSecret', 'gcr-secret');
    expect(at(es, 'spec.target.template.type')).toBe('kubernetes.io/dockerconfigjson');
    expect(at(es, 'spec.data.0.remoteRef.key')).toBe('gar-dockerconfigjson');
    expect(refs(b).indexOf('ExternalSecret/gcr-secret')).toBeLessThan(
      refs(b).indexOf('Deployment/stemedb-api'),
    );
  });

  it('makes no ExternalSecret for a pull Secret managed elsewhere (remoteKey: null)', () => {
    const b = buildBundle(
      withConfig({ image: { tag: '1.0.0', pullSecret: { name: 'regcred', remoteKey: null } } }),
    );
    expect(refs(b)).not.toContain('ExternalSecret/regcred');
    expect(at(pick(b, 'Deployment'), 'spec.template.spec.imagePullSecrets')).toEqual([
      { name: 'regcred' },
    ]);
  });

  it('leaves imagePullSecrets out for a public registry', () => {
    const b = buildBundle(withConfig({ image: { tag: '1.0.0', pullSecret: null } }));
    expect(at(pick(b, 'Deployment'), 'spec.template.spec.imagePullSecrets')).toBeUndefined();
  });
});

describe('server environment', () => {
  it('adds CORS origins and extra env vars, sorted', () => {
    const b = buildBundle(
      withConfig({
        server: {
          allowedOrigins: ['https://a.threesix.ai', 'https://b.threesix.ai'],
          extraEnv: { RUST_LOG: 'info', A_FIRST: '1' },
        },
      }),
    );
    const env = at(pick(b, 'Deployment'), 'spec.template.spec.containers.0.env') as {
      name: string;
      value?: string;
    }[];
    expect(env.find((e) => e.name === 'STEMEDB_ALLOWED_ORIGINS')?.value).toBe(
      'https://a.threesix.ai,https://b.threesix.ai',
    );
    expect(env.slice(-2).map((e) => e.name)).toEqual(['A_FIRST', 'RUST_LOG']);
  });
});

describe('invariants', () => {
  it('validates the config it is given', () => {
    expect(() => buildBundle({ ...MINIMAL, image: { tag: 'latest' } })).toThrow(ConfigError);
  });

  it('refuses a bundle whose IngressRoute names a Middleware that is not there', () => {
    const b = buildBundle(MINIMAL).filter((o) => o.kind !== 'Middleware');
    expect(() => assertBundleInvariants(b, 'stemedb')).toThrow(
      /IngressRoute\/stemedb\/stemedb-api: ref\/ingress-middleware at spec\.routes\[0\]\.middlewares\[0\]: middleware stemedb\/ratelimit is not emitted/,
    );
  });

  it('refuses a bundle whose ServiceMonitor names a port the Service lacks', () => {
    const b = structuredClone(buildBundle(MINIMAL));
    (at(pick(b, 'ServiceMonitor'), 'spec.endpoints.0') as { port: string }).port = '18180';
    expect(() => assertBundleInvariants(b, 'stemedb')).toThrow(BundleInvariantError);
    expect(() => assertBundleInvariants(b, 'stemedb')).toThrow(
      /ServiceMonitor\/stemedb\/stemedb-api: ref\/servicemonitor-port at spec\.endpoints\[0\]\.port/,
    );
  });

  it('refuses a bundle with the same object twice', () => {
    const b = buildBundle(MINIMAL);
    expect(() => assertBundleInvariants([...b, b[0]!], 'stemedb')).toThrow(/emitted twice/);
  });

  it.each<{ given: string; change: (b: KubeObject[]) => KubeObject[]; want: RegExp }>([
    {
      given: 'a Service whose selector matches no pod',
      change: (b) => {
        (at(pick(b, 'Service'), 'spec.selector') as Record<string, string>)[
          'app.kubernetes.io/name'
        ] = 'other';
        return b;
      },
      want: /Service\/stemedb\/stemedb-api: ref\/selector-matches-nothing/,
    },
    {
      given: 'a Service whose targetPort the pods do not declare',
      change: (b) => {
        (at(pick(b, 'Service'), 'spec.ports.0') as { targetPort: string }).targetPort = 'web';
        return b;
      },
      want: /Service\/stemedb\/stemedb-api: ref\/service-target-port/,
    },
    {
      given: 'a Deployment whose selector does not match its pods',
      change: (b) => {
        (at(pick(b, 'Deployment'), 'spec.selector.matchLabels') as Record<string, string>)[
          'app.kubernetes.io/name'
        ] = 'other';
        return b;
      },
      want: /Deployment\/stemedb\/stemedb-api: ref\/workload-selector/,
    },
    {
      given: 'an IngressRoute whose Service is not emitted',
      change: (b) => b.filter((o) => o.kind !== 'Service'),
      want: /IngressRoute\/stemedb\/stemedb-api: ref\/ingress-backend/,
    },
    {
      given: 'a ServiceMonitor that selects no Service',
      change: (b) => {
        (at(pick(b, 'ServiceMonitor'), 'spec.selector.matchLabels') as Record<string, string>)[
          'app.kubernetes.io/name'
        ] = 'other';
        return b;
      },
      want: /ServiceMonitor\/stemedb\/stemedb-api: ref\/servicemonitor-selector/,
    },
  ])('refuses $given, naming the lint rule', ({ change, want }) => {
    const b = change(structuredClone(buildBundle(MINIMAL)));
    expect(() => assertBundleInvariants(b, 'stemedb', ['longhorn-system'])).toThrow(want);
  });

  it('accepts the bundle it builds (the near miss of every case above)', () => {
    const b = buildBundle(MINIMAL);
    expect(() => assertBundleInvariants(b, 'stemedb', ['longhorn-system'])).not.toThrow();
  });

  it('refuses a Deployment whose claim has no PVC', () => {
    const b = buildBundle(MINIMAL).filter((o) => o.metadata.name !== 'stemedb-wal');
    expect(() => assertBundleInvariants(b, 'stemedb')).toThrow(
      /Deployment\/stemedb\/stemedb-api: ref\/pvc-not-produced at .*"stemedb-wal", which the bundle does not emit/,
    );
  });
});
