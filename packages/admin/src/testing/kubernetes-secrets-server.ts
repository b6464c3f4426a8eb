/**
 * `startKubernetesSecretsServer()`: a local HTTP server on 127.0.0.1 (port 0) that speaks the
 * subset of the Kubernetes API the `k8s:` store uses: core/v1 Secrets in namespaces (list with
 * label selector and paging, create, read, replace with resourceVersion preconditions, delete),
 * answering errors as `Status` objects the way kube-apiserver does (404 for a missing namespace
 * on create, 409 AlreadyExists and Conflict, 401 without the expected bearer token). It can fail
 * the next N requests with any status, delay requests, and records each request (method, path,
 * status, whether a token came), never a body.
 *
 * Like the manifests package's fake API server for its apply tests, it proves the HTTP
 * conversation and the store's handling of the answers, not what a real API server accepts;
 * unlike that one it is a real server on a port, so client-node's own HTTP stack is exercised.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  applyFields,
  describeOwners,
  type FieldOwners,
  recordUpdate,
} from './kubernetes-field-owners.js';

/** Options of {@link startKubernetesSecretsServer}. */
export interface KubernetesSecretsServerOptions {
  /**
   * The namespaces that exist.
   * @default ['default']
   */
  namespaces?: readonly string[] | undefined;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string | undefined;
  /** A delay before every request is answered, in milliseconds. @default 0 */
  latencyMs?: number | undefined;
  /**
   * The RBAC verbs the caller holds on Secrets (`get`, `list`, `create`, `update`, `patch`,
   * `delete`): a request needing another is refused 403 Forbidden, and a
   * SelfSubjectAccessReview answers from this set.
   * @default every verb
   */
  verbs?: readonly string[] | undefined;
}

/** A fault to inject with {@link KubernetesSecretsServer.failNext}. */
export interface KubernetesFault {
  /** Only requests with this HTTP method (default: any). */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | undefined;
  /** How many requests fail. @default 1 */
  count?: number | undefined;
  /** The HTTP status. @default 503 */
  status?: number | undefined;
  /** The Status message. */
  message?: string | undefined;
  /**
   * Carry the request out first, then answer with the fault: a PUT that times out but was
   * applied (a 504 from a proxy in front of the API server). @default false
   */
  afterApply?: boolean | undefined;
  /**
   * Close the connection without answering (an API server or load balancer that resets it);
   * logged with status 0. @default false
   */
  drop?: boolean | undefined;
}

/** One request the server answered. */
export interface KubernetesRequest {
  readonly method: string;
  /** The path with its query string. */
  readonly path: string;
  /** The HTTP status answered; 0 for a connection dropped by a `drop` fault. */
  readonly status: number;
  readonly injected: boolean;
  readonly authorization: boolean;
  /** When the request arrived (`Date.now()`, before any latency), e.g. to check a rate limit. */
  readonly at: number;
}

/** A Secret as stored: the API's JSON shape. */
export interface StoredKubernetesSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  type: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Record<string, unknown>[];
    finalizers?: string[];
  };
  data?: Record<string, string>;
}

/** A running server. */
export interface KubernetesSecretsServer {
  /** `http://127.0.0.1:<port>`: the cluster server URL for a kubeconfig, or the store's `server`. */
  readonly url: string;
  readonly port: number;
  /** Makes `namespace` exist. */
  addNamespace(namespace: string): void;
  /** Sets the verbs the caller holds on Secrets (see `verbs`); `undefined` grants every verb. */
  setVerbs(verbs: readonly string[] | undefined): void;
  /** Fails the next requests matching `fault`. Faults queue up in order. */
  failNext(fault?: KubernetesFault): void;
  setLatency(ms: number): void;
  /** Every request answered so far, oldest first. */
  requests(): readonly KubernetesRequest[];
  clearRequests(): void;
  /** The Leases of `namespace`, sorted by name (copies). */
  leases(namespace: string): StoredKubernetesLease[];
  /** The Secrets of `namespace`, sorted by name (copies). */
  secrets(namespace: string): StoredKubernetesSecret[];
  /** Stores `secret` as is (a Secret made by something else, e.g. kubectl). */
  putSecret(
    namespace: string,
    secret: Omit<StoredKubernetesSecret, 'metadata'> & {
      metadata: {
        name: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        ownerReferences?: Record<string, unknown>[];
        finalizers?: string[];
      };
    },
    /** The field manager that owns every field of it. @default 'kubectl-create' */
    manager?: string,
  ): void;
  /**
   * Which field manager owns each field of a Secret (`metadata.labels.<key>`,
   * `metadata.annotations.<key>`, `data.<key>`, `metadata.ownerReferences`,
   * `metadata.finalizers`, `type`), as server-side apply tracks it in `managedFields`.
   */
  fieldOwners(namespace: string, name: string): Record<string, string[]>;
  close(): Promise<void>;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const COLLECTION = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/;
const ITEM = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/;
// The RBAC verb of each request on one Secret.
const ITEM_VERBS: Readonly<Record<string, string | undefined>> = {
  GET: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};
const REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const MAX_BODY_BYTES = 3 * 1024 * 1024;
// coordination.k8s.io/v1 Leases (the run lease of the k8s: store): create, read, replace with
// a resourceVersion precondition, as kube-apiserver answers them.
const LEASES = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases$/;
const LEASE = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases\/([^/]+)$/;

/** A Lease as stored: the API's JSON shape (the spec is kept as sent). */
export interface StoredKubernetesLease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Starts the server; resolves once it listens. */
export async function startKubernetesSecretsServer(
  options: KubernetesSecretsServerOptions = {},
): Promise<KubernetesSecretsServer> {
  const namespaces = new Set(options.namespaces ?? ['default']);
  const store = new Map<string, Map<string, StoredKubernetesSecret>>();
  const leaseStore = new Map<string, StoredKubernetesLease>();
  const faults: {
    method: string | undefined;
    status: number;
    message: string | undefined;
    afterApply: boolean;
    drop: boolean;
  }[] = [];
  const log: KubernetesRequest[] = [];
  let latency = options.latencyMs ?? 0;
  let revision = 1000;
  // namespace/name → field manager → the fields it owns (server-side apply's managedFields).
  const owners = new Map<string, FieldOwners>();
  const ownersOf = (ns: string, name: string) => {
    const key = `${ns}/${name}`;
    let found = owners.get(key);
    if (found === undefined) {
      found = new Map();
      owners.set(key, found);
    }
    return found;
  };
  let verbs: ReadonlySet<string> | undefined =
    options.verbs === undefined ? undefined : new Set(options.verbs);
  const may = (verb: string) => verbs === undefined || verbs.has(verb);
  // What kube-apiserver's RBAC authorizer answers when a verb is missing.
  const authorize = (verb: string, ns: string, name?: string) => {
    if (may(verb)) return;
    const what = name === undefined ? 'secrets' : `secrets "${name}"`;
    throw new HttpFailure(
      403,
      'Forbidden',
      `${what} is forbidden: User "system:serviceaccount:${ns}:stemedb-admin" cannot ${verb} resource "secrets" in API group "" in the namespace "${ns}"`,
      { ...(name === undefined ? {} : { name }), kind: 'secrets' },
    );
  };

  const bucket = (ns: string) => {
    let secrets = store.get(ns);
    if (secrets === undefined) {
      secrets = new Map();
      store.set(ns, secrets);
    }
    return secrets;
  };
  const nextRevision = () => String(++revision);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorization = typeof req.headers.authorization === 'string';
    const at = Date.now();
    const send = (status: number, body: unknown, injected = false) => {
      log.push({
        method,
        path: `${url.pathname}${url.search}`,
        status,
        injected,
        authorization,
        at,
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const text = await readBody(req);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const index = faults.findIndex((f) => f.method === undefined || f.method === method);
    if (index >= 0) {
      const [fault] = faults.splice(index, 1);
      if (fault?.drop === true) {
        log.push({
          method,
          path: `${url.pathname}${url.search}`,
          status: 0,
          injected: true,
          authorization,
          at,
        });
        req.socket.destroy();
        return;
      }
      const status = fault?.status ?? 503;
      if (fault?.afterApply === true) {
        try {
          route(method, url, text, String(req.headers['content-type'] ?? ''));
        } catch {
          // It fails either way: the fault's answer is what the client sees.
        }
      }
      send(
        status,
        statusBody(status, reasonOf(status), fault?.message ?? `injected ${status}`),
        true,
      );
      return;
    }
    try {
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
        throw new HttpFailure(401, 'Unauthorized', 'Unauthorized');
      }
      const [status, body] = route(method, url, text, String(req.headers['content-type'] ?? ''));
      send(status, body);
    } catch (error) {
      const failure =
        error instanceof HttpFailure
          ? error
          : new HttpFailure(500, 'InternalError', `the fake API server failed: ${String(error)}`);
      send(
        failure.status,
        statusBody(failure.status, failure.reason, failure.message, failure.details),
      );
    }
  }

  function route(method: string, url: URL, text: string, contentType: string): [number, unknown] {
    const leaseRoute = routeLease(method, url, text);
    if (leaseRoute !== undefined) return leaseRoute;
    if (url.pathname === REVIEWS && method === 'POST') return [201, review(text)];
    const collection = COLLECTION.exec(url.pathname);
    if (collection !== null) {
      const ns = decodeURIComponent(collection[1] ?? '');
      if (method === 'GET') authorize('list', ns);
      if (method === 'POST') authorize('create', ns);
      if (method === 'GET') return [200, list(ns, url.searchParams)];
      if (method === 'POST') return [201, create(ns, parseSecret(text), managerOf(url))];
      throw new HttpFailure(405, 'MethodNotAllowed', `${method} is not supported here`);
    }
    const item = ITEM.exec(url.pathname);
    if (item !== null) {
      const ns = decodeURIComponent(item[1] ?? '');
      const name = decodeURIComponent(item[2] ?? '');
      const verb = ITEM_VERBS[method];
      if (verb !== undefined) authorize(verb, ns, name);
      if (method === 'GET') return [200, structuredClone(existing(ns, name))];
      if (method === 'PUT') return [200, replace(ns, name, parseSecret(text), managerOf(url))];
      if (method === 'PATCH') {
        if (!contentType.startsWith('application/apply-patch')) {
          throw new HttpFailure(
            415,
            'UnsupportedMediaType',
            `the fake API server speaks only server-side apply PATCHes, not ${contentType}`,
          );
        }
        return apply(ns, name, text, url.searchParams);
      }
      if (method === 'DELETE') {
        existing(ns, name);
        bucket(ns).delete(name);
        owners.delete(`${ns}/${name}`);
        return [
          200,
          {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Success',
            details: { name, kind: 'secrets' },
          },
        ];
      }
      throw new HttpFailure(405, 'MethodNotAllowed', `${method} is not supported here`);
    }
    throw new HttpFailure(404, 'NotFound', 'the server could not find the requested resource');
  }

  function routeLease(method: string, url: URL, text: string): [number, unknown] | undefined {
    const collection = LEASES.exec(url.pathname);
    const item = LEASE.exec(url.pathname);
    if (collection === null && item === null) return undefined;
    const ns = decodeURIComponent((collection ?? item)?.[1] ?? '');
    const body = (text === '' ? {} : JSON.parse(text)) as StoredKubernetesLease;
    if (collection !== null) {
      if (method !== 'POST')
        throw new HttpFailure(405, 'MethodNotAllowed', `${method} is not supported here`);
      if (!namespaces.has(ns)) {
        throw new HttpFailure(404, 'NotFound', `namespaces "${ns}" not found`);
      }
      const name = body.metadata?.name ?? '';
      if (leaseStore.has(`${ns}/${name}`)) {
        throw new HttpFailure(
          409,
          'AlreadyExists',
          `leases.coordination.k8s.io "${name}" already exists`,
        );
      }
      const stored: StoredKubernetesLease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          ...pickMeta(body as never),
          name,
          namespace: ns,
          uid: randomUUID(),
          resourceVersion: nextRevision(),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
        spec: { ...(body.spec ?? {}) },
      };
      leaseStore.set(`${ns}/${name}`, stored);
      return [201, structuredClone(stored)];
    }
    const name = decodeURIComponent(item?.[2] ?? '');
    const current = leaseStore.get(`${ns}/${name}`);
    if (current === undefined) {
      throw new HttpFailure(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
    }
    if (method === 'GET') return [200, structuredClone(current)];
    if (method !== 'PUT')
      throw new HttpFailure(405, 'MethodNotAllowed', `${method} is not supported here`);
    const precondition = body.metadata?.resourceVersion;
    if (
      precondition !== undefined &&
      precondition !== '' &&
      precondition !== current.metadata.resourceVersion
    ) {
      throw new HttpFailure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const stored: StoredKubernetesLease = {
      ...current,
      metadata: {
        ...current.metadata,
        ...pickMeta(body as never),
        resourceVersion: nextRevision(),
      },
      spec: { ...(body.spec ?? {}) },
    };
    leaseStore.set(`${ns}/${name}`, stored);
    return [200, structuredClone(stored)];
  }

  // A SelfSubjectAccessReview about Secrets, answered from `verbs`; about anything else,
  // allowed (this server holds nothing else to refuse).
  function review(text: string): unknown {
    let body: {
      apiVersion?: string;
      kind?: string;
      spec?: { resourceAttributes?: { verb?: string; resource?: string; group?: string } };
    };
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpFailure(400, 'BadRequest', 'the body is not JSON');
    }
    const attributes = body.spec?.resourceAttributes;
    if (body.kind !== 'SelfSubjectAccessReview' || attributes?.verb === undefined) {
      throw new HttpFailure(400, 'BadRequest', 'the body is not a SelfSubjectAccessReview');
    }
    const allowed =
      attributes.resource !== 'secrets' || (attributes.group ?? '') !== '' || may(attributes.verb);
    return {
      ...body,
      metadata: { creationTimestamp: null },
      status: allowed
        ? { allowed: true, reason: 'RBAC: allowed by RoleBinding "stemedb-admin-secrets"' }
        : { allowed: false },
    };
  }

  function existing(ns: string, name: string): StoredKubernetesSecret {
    const secret = store.get(ns)?.get(name);
    if (secret === undefined) {
      throw new HttpFailure(404, 'NotFound', `secrets "${name}" not found`, {
        name,
        kind: 'secrets',
      });
    }
    return secret;
  }

  function list(ns: string, query: URLSearchParams): unknown {
    const match = parseSelector(query.get('labelSelector') ?? '');
    const all = [...(store.get(ns)?.values() ?? [])]
      .filter((s) => match(s.metadata.labels ?? {}))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    const limit = Number(query.get('limit') ?? '0');
    const start = Number(Buffer.from(query.get('continue') ?? '', 'base64url').toString() || '0');
    const items = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const end = start + items.length;
    return {
      kind: 'SecretList',
      apiVersion: 'v1',
      metadata: {
        resourceVersion: String(revision),
        ...(end < all.length ? { continue: Buffer.from(String(end)).toString('base64url') } : {}),
      },
      items: structuredClone(items),
    };
  }

  // Server-side apply: see kubernetes-field-owners.ts. An apply may create the Secret too.
  function apply(
    ns: string,
    name: string,
    text: string,
    query: URLSearchParams,
  ): [number, unknown] {
    const manager = query.get('fieldManager') ?? '';
    if (manager === '') {
      throw new HttpFailure(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    const body = parseSecret(text);
    if (body.metadata?.name !== name) {
      throw new HttpFailure(
        400,
        'BadRequest',
        'the name of the object does not match the name on the URL',
      );
    }
    validate(name, body);
    const current = store.get(ns)?.get(name);
    if (current === undefined && !namespaces.has(ns)) {
      throw new HttpFailure(404, 'NotFound', `namespaces "${ns}" not found`, {
        name: ns,
        kind: 'namespaces',
      });
    }
    const precondition = body.metadata.resourceVersion;
    if (
      current !== undefined &&
      precondition !== undefined &&
      precondition !== '' &&
      precondition !== current.metadata.resourceVersion
    ) {
      throw conflictError(name);
    }
    const next: StoredKubernetesSecret =
      current === undefined
        ? {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name,
              namespace: ns,
              uid: randomUUID(),
              resourceVersion: '',
              creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          }
        : structuredClone(current);
    const fieldOwners = ownersOf(ns, name);
    const conflicts = applyFields(next, fieldOwners, body, manager, query.get('force') === 'true');
    if (conflicts.length > 0) {
      throw new HttpFailure(
        409,
        'Conflict',
        `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${conflicts
          .map(([other, path]) => `conflict with "${other}": .${path}`)
          .join(', ')}`,
        { name, kind: 'secrets' },
      );
    }
    next.metadata.resourceVersion = nextRevision();
    bucket(ns).set(name, next);
    return [current === undefined ? 201 : 200, structuredClone(next)];
  }

  function create(ns: string, body: StoredKubernetesSecret, manager: string): unknown {
    if (!namespaces.has(ns)) {
      throw new HttpFailure(404, 'NotFound', `namespaces "${ns}" not found`, {
        name: ns,
        kind: 'namespaces',
      });
    }
    const name = body.metadata?.name ?? '';
    validate(name, body);
    if (bucket(ns).has(name)) {
      throw new HttpFailure(409, 'AlreadyExists', `secrets "${name}" already exists`, {
        name,
        kind: 'secrets',
      });
    }
    const stored: StoredKubernetesSecret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: body.type ?? 'Opaque',
      metadata: {
        ...pickMeta(body),
        name,
        namespace: ns,
        uid: randomUUID(),
        resourceVersion: nextRevision(),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
      ...(body.data === undefined ? {} : { data: { ...body.data } }),
    };
    bucket(ns).set(name, stored);
    recordUpdate(undefined, stored, ownersOf(ns, name), manager);
    return structuredClone(stored);
  }

  function replace(
    ns: string,
    name: string,
    body: StoredKubernetesSecret,
    manager: string,
  ): unknown {
    const current = existing(ns, name);
    if (body.metadata?.name !== name) {
      throw new HttpFailure(
        400,
        'BadRequest',
        'the name of the object does not match the name on the URL',
      );
    }
    validate(name, body);
    const precondition = body.metadata.resourceVersion;
    if (
      precondition !== undefined &&
      precondition !== '' &&
      precondition !== current.metadata.resourceVersion
    ) {
      throw conflictError(name);
    }
    // A PUT replaces the object: labels, annotations, ownerReferences and finalizers it leaves
    // out are gone, as on a real API server (only the server's own fields are kept).
    const { labels, annotations, ownerReferences, finalizers, ...server } = current.metadata;
    void labels;
    void annotations;
    void ownerReferences;
    void finalizers;
    const stored: StoredKubernetesSecret = {
      ...current,
      type: body.type ?? current.type,
      metadata: {
        ...server,
        ...pickMeta(body),
        ...(body.metadata.ownerReferences === undefined
          ? {}
          : { ownerReferences: structuredClone(body.metadata.ownerReferences) }),
        ...(body.metadata.finalizers === undefined
          ? {}
          : { finalizers: [...body.metadata.finalizers] }),
        resourceVersion: nextRevision(),
      },
      ...(body.data === undefined ? {} : { data: { ...body.data } }),
    };
    if (body.data === undefined) delete stored.data;
    recordUpdate(current, stored, ownersOf(ns, name), manager);
    bucket(ns).set(name, stored);
    return structuredClone(stored);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    addNamespace: (ns) => void namespaces.add(ns),
    setVerbs(next) {
      verbs = next === undefined ? undefined : new Set(next);
    },
    failNext(fault = {}) {
      const count = fault.count ?? 1;
      for (let i = 0; i < count; i++) {
        faults.push({
          method: fault.method,
          status: fault.status ?? 503,
          message: fault.message,
          afterApply: fault.afterApply === true,
          drop: fault.drop === true,
        });
      }
    },
    setLatency(ms) {
      latency = ms;
    },
    requests: () => [...log],
    clearRequests() {
      log.length = 0;
    },
    leases: (ns) =>
      [...leaseStore.values()]
        .filter((l) => l.metadata.namespace === ns)
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
        .map((l) => structuredClone(l)),
    secrets: (ns) =>
      [...(store.get(ns)?.values() ?? [])]
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
        .map((s) => structuredClone(s)),
    fieldOwners: (ns, name) => describeOwners(owners.get(`${ns}/${name}`)),
    putSecret(ns, secret, manager = 'kubectl-create') {
      namespaces.add(ns);
      owners.delete(`${ns}/${secret.metadata.name}`);
      recordUpdate(undefined, secret, ownersOf(ns, secret.metadata.name), manager);
      bucket(ns).set(secret.metadata.name, {
        ...structuredClone(secret),
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          ...structuredClone(secret.metadata),
          namespace: ns,
          uid: randomUUID(),
          resourceVersion: nextRevision(),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function conflictError(name: string): HttpFailure {
  return new HttpFailure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on secrets "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, kind: 'secrets' },
  );
}

// The field manager a create or update names (`?fieldManager=`), or what kube-apiserver
// derives from a client that names none.
function managerOf(url: URL): string {
  return url.searchParams.get('fieldManager') || 'unknown';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseSecret(text: string): StoredKubernetesSecret {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpFailure(400, 'BadRequest', 'the body is not JSON');
  }
  const secret = body as StoredKubernetesSecret;
  if (secret?.kind !== 'Secret' || secret.apiVersion !== 'v1') {
    throw new HttpFailure(400, 'BadRequest', 'the body is not a v1 Secret');
  }
  return secret;
}

function validate(name: string, body: StoredKubernetesSecret): void {
  if (name.length === 0 || name.length > 253 || !SUBDOMAIN.test(name)) {
    throw new HttpFailure(
      422,
      'Invalid',
      `Secret "${name.slice(0, 100)}" is invalid: metadata.name`,
    );
  }
  let size = 0;
  for (const [key, value] of Object.entries(body.data ?? {})) {
    if (typeof value !== 'string' || !BASE64.test(value)) {
      throw new HttpFailure(400, 'BadRequest', `data[${key}] is not base64`);
    }
    size += value.length;
  }
  if (size > 1024 * 1024 * 1.34) {
    throw new HttpFailure(422, 'Invalid', `Secret "${name}" is invalid: data: Too long`);
  }
}

function pickMeta(body: StoredKubernetesSecret): {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
} {
  return {
    ...(body.metadata?.labels === undefined ? {} : { labels: { ...body.metadata.labels } }),
    ...(body.metadata?.annotations === undefined
      ? {}
      : { annotations: { ...body.metadata.annotations } }),
  };
}

// Equality-based selectors (`a=b,c==d,e!=f`) and existence (`g`, `!h`), which is what the
// store sends; a set-based one is refused rather than ignored.
function parseSelector(selector: string): (labels: Record<string, string>) => boolean {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const tests = terms.map((term) => {
    const match = /^(!?)([A-Za-z0-9./_-]+)(?:\s*(==|=|!=)\s*([A-Za-z0-9._-]*))?$/.exec(term);
    if (match === null)
      throw new HttpFailure(400, 'BadRequest', `unable to parse requirement: ${term}`);
    const [, not, key = '', op, value = ''] = match;
    if (op === undefined) return (l: Record<string, string>) => key in l !== (not === '!');
    if (op === '!=') return (l: Record<string, string>) => l[key] !== value;
    return (l: Record<string, string>) => l[key] === value;
  });
  return (labels) => tests.every((t) => t(labels));
}

function reasonOf(status: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[status] ?? 'Unknown';
}

function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details === undefined ? {} : { details }),
  };
}
