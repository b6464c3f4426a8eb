/**
 * The pretend Kubernetes API server of every cluster test: a real node:http server on
 * 127.0.0.1 port 0, so the in-process tests (through @kubernetes/client-node) and the CLI tests
 * (a child process, through a kubeconfig file) talk to the same thing over a real socket. It
 * serves discovery for the kinds we emit (per group version, and per group for the preferred
 * version), GET of stored objects, LIST with a label selector (items without apiVersion and
 * kind, as a real server sends them), DELETE with a uid precondition, and server-side-apply
 * PATCHes that it records and merges naively. No real API server is available here; what this does and
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

interface Collection {
  gv: string;
  resource: Resource;
  namespace: string | undefined;
}

/** The collection a LIST path names (`/api/v1/namespaces/ns/secrets`), if it names one. */
function collectionOf(served: Record<string, Resource[]>, path: string): Collection | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const gv = (m[1] ?? m[2]) as string;
  const resource = served[gv]?.find((r) => r.name === m[4]);
  if (!resource || (m[3] !== undefined && !resource.namespaced)) return undefined;
  return { gv, resource, namespace: m[3] };
}

/** Whether `o` is in `c`: the same group and kind (any version), and namespace when given. */
function inCollection(served: Record<string, Resource[]>, o: KubeObject, c: Collection): boolean {
  const group = (v: string) => (v.includes('/') ? v.split('/')[0] : '');
  const sameGroup = group(o.apiVersion) === group(c.gv) && o.apiVersion in served;
  if (!sameGroup || o.kind !== c.resource.kind) return false;
  return c.namespace === undefined || o.metadata.namespace === c.namespace;
}

/** A label selector as the API server reads it: `k=v`, `k==v`, `k!=v`, `k`, `!k`, joined by commas. */
export function selects(selector: string, o: KubeObject): boolean {
  const labels = o.metadata.labels ?? {};
  return selector
    .split(',')
    .map((term) => term.trim())
    .filter(Boolean)
    .every((term) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(term);
      if (ne) return labels[ne[1]!.trim()] !== ne[2]!.trim();
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
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
    // Group discovery, as client-node's callers ask for a group's preferred version.
    const group = /^\/apis\/([^/]+)$/.exec(path)?.[1];
    if (method === 'GET' && group) {
      const versions = Object.keys(served).filter((v) => v.startsWith(`${group}/`));
      if (versions.length === 0) return [404, status(404, 'NotFound', `${path} not found`)];
      const entries = versions.map((v) => ({
        groupVersion: v,
        version: v.slice(group.length + 1),
      }));
      return [
        200,
        {
          kind: 'APIGroup',
          apiVersion: 'v1',
          name: group,
          versions: entries,
          preferredVersion: entries[0],
        },
      ];
    }
    const live = state.objects.get(path);
    const collection = method === 'GET' && !live ? collectionOf(served, path) : undefined;
    if (collection) {
      const selector = query.get('labelSelector') ?? '';
      const items = [...state.objects.values()]
        .filter((o) => inCollection(served, o, collection) && selects(selector, o))
        // A real server's list items carry no apiVersion and kind.
        .map(({ apiVersion: _a, kind: _k, ...item }) => item);
      return [200, { kind: `${collection.resource.kind}List`, apiVersion: collection.gv, items }];
    }
    if (method === 'GET') {
      return live ? [200, live] : [404, status(404, 'NotFound', `${path} not found`)];
    }
    if (method === 'DELETE') {
      if (!live) return [404, status(404, 'NotFound', `${path} not found`)];
      const uid = (recorded.body as { preconditions?: { uid?: string } } | undefined)?.preconditions
        ?.uid;
      if (uid !== undefined && uid !== live.metadata.uid) {
        return [409, status(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}`)];
      }
      if (!query.has('dryRun')) state.objects.delete(path);
      return [
        200,
        {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Success',
          details: { name: live.metadata.name },
        },
      ];
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
