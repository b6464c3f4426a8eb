/**
 * The pretend Kubernetes API server of every cluster test: a real node:http server on
 * 127.0.0.1 port 0, so the in-process tests (through @kubernetes/client-node) and the CLI tests
 * (a child process, through a kubeconfig file) talk to the same thing over a real socket. It
 * serves discovery for the kinds we emit, GET of stored objects, and server-side-apply PATCHes
 * that it records and merges naively. No real API server is available here; what this does and
 * does not prove is written down in docs/alerts-and-cluster.md.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/types.js';

export const TOKEN = 'test-token-6f1d2b';

type Resource = { name: string; kind: string; namespaced: boolean };

/** What `GET /api/v1` and `GET /apis/<group>/<version>` answer, for the kinds we emit. */
export const DISCOVERY: Record<string, Resource[]> = {
  v1: [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  ],
  'storage.k8s.io/v1': [{ name: 'storageclasses', kind: 'StorageClass', namespaced: false }],
  'apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  'batch/v1': [{ name: 'cronjobs', kind: 'CronJob', namespaced: true }],
  'networking.k8s.io/v1': [
    { name: 'ingresses', kind: 'Ingress', namespaced: true },
    { name: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  ],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
  'traefik.io/v1alpha1': [
    { name: 'middlewares', kind: 'Middleware', namespaced: true },
    { name: 'ingressroutes', kind: 'IngressRoute', namespaced: true },
  ],
  'cert-manager.io/v1': [{ name: 'certificates', kind: 'Certificate', namespaced: true }],
  'external-secrets.io/v1': [{ name: 'externalsecrets', kind: 'ExternalSecret', namespaced: true }],
  'monitoring.coreos.com/v1': [
    { name: 'servicemonitors', kind: 'ServiceMonitor', namespaced: true },
    { name: 'prometheusrules', kind: 'PrometheusRule', namespaced: true },
  ],
  'longhorn.io/v1beta2': [{ name: 'recurringjobs', kind: 'RecurringJob', namespaced: true }],
};

/** The API path of an object, as a real server has it (for the kinds of DISCOVERY). */
export function apiPath(o: KubeObject): string {
  const resource = DISCOVERY[o.apiVersion]!.find((r) => r.kind === o.kind)!;
  const base = o.apiVersion === 'v1' ? '/api/v1' : `/apis/${o.apiVersion}`;
  const ns = resource.namespaced ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${resource.name}/${o.metadata.name}`;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: KubeObject | undefined;
}

/**
 * Answer a request yourself: [status, body] overrides the fake's answer, `'no-answer'` holds the
 * request open until the server closes (for timeouts), undefined lets the fake answer.
 */
export type Override = (req: RecordedRequest) => [number, unknown] | 'no-answer' | undefined;

export interface FakeApiOptions {
  /** Objects the cluster holds to begin with, by API path. */
  live?: Record<string, KubeObject>;
  /** What discovery serves; DISCOVERY when absent. */
  served?: Record<string, Resource[]>;
  override?: Override;
}

/** What the fake saw and holds since its last reset. */
export interface FakeApi {
  requests: RecordedRequest[];
  /** Objects stored by path, e.g. `/apis/apps/v1/namespaces/stemedb/deployments/stemedb-api`. */
  objects: Map<string, KubeObject>;
  patches(): RecordedRequest[];
}

export interface FakeApiServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Forgets every request and object and starts over with `options`. */
  reset(options?: FakeApiOptions): FakeApi;
  /** The state since the last reset. */
  current(): FakeApi;
  /** An in-memory kubeconfig for this server (or `server`), with a bearer token. */
  kubeConfig(namespace?: string, server?: string): KubeConfig;
  /** Writes a kubeconfig file for this server (context "fake") to `path` and returns it. */
  writeKubeconfig(path: string): string;
  close(): Promise<void>;
}

export function status(code: number, reason: string, message: string, causes?: unknown[]) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
    details: { causes },
  };
}

/** The headers of a node:http request as a fetch `Headers`. */
function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** Starts the server; call `close()` in afterAll. */
export async function startFakeApi(): Promise<FakeApiServer> {
  let options: FakeApiOptions = {};
  let state: FakeApi;
  let version = 100;
  const reset = (next: FakeApiOptions = {}): FakeApi => {
    options = next;
    const requests: RecordedRequest[] = [];
    state = {
      requests,
      objects: new Map(Object.entries(next.live ?? {})),
      patches: () => requests.filter((r) => r.method === 'PATCH'),
    };
    return state;
  };
  reset();

  const answer = (recorded: RecordedRequest): [number, unknown] | 'no-answer' => {
    const overridden = options.override?.(recorded);
    if (overridden) return overridden;
    const served = options.served ?? DISCOVERY;
    const { path, query, method } = recorded;
    const gv = /^\/(?:api|apis)\/(.+)$/.exec(path)?.[1];
    if (method === 'GET' && gv && gv in served) {
      return [
        200,
        { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: served[gv] },
      ];
    }
    const live = state.objects.get(path);
    if (method === 'GET') {
      return live ? [200, live] : [404, status(404, 'NotFound', `${path} not found`)];
    }
    if (method === 'PATCH' && recorded.body) {
      const applied = {
        ...recorded.body,
        metadata: {
          uid: `uid-${path}`,
          creationTimestamp: '2026-03-02T00:00:00Z',
          ...live?.metadata,
          ...recorded.body.metadata,
          resourceVersion: String(
            live && query.has('dryRun') ? live.metadata.resourceVersion : version++,
          ),
          managedFields: [
            {
              manager: query.get('fieldManager'),
              operation: 'Apply',
              time: new Date().toISOString(),
            },
          ],
        },
        ...(live?.status ? { status: live.status } : {}),
      };
      if (!query.has('dryRun')) state.objects.set(path, applied);
      return [live ? 200 : 201, applied];
    }
    return [405, status(405, 'MethodNotAllowed', `${method} ${path}`)];
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: headersOf(req),
        body: text ? (JSON.parse(text) as KubeObject) : undefined,
      };
      state.requests.push(recorded);
      const result = answer(recorded);
      if (result === 'no-answer') return;
      const [code, body] = result;
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    reset,
    current: () => state,
    kubeConfig(namespace, at = url) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'test', server: at, skipTLSVerify: true }],
        users: [{ name: 'test', token: TOKEN }],
        contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace }],
        currentContext: 'test',
      });
      return kc;
    },
    writeKubeconfig(path) {
      writeFileSync(
        path,
        `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster: { server: "${url}", insecure-skip-tls-verify: true }
users:
  - name: fake
    user: { token: ${TOKEN} }
contexts:
  - name: fake
    context: { cluster: fake, user: fake }
current-context: fake
`,
      );
      return path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
