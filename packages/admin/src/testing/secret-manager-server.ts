/**
 * `startSecretManagerEmulator()`: a real gRPC server on 127.0.0.1 (port 0 by default) that
 * implements `google.cloud.secretmanager.v1.SecretManagerService` from the package's own .proto
 * files, for the `gcp:` store's tests, the benchmark and examples. The real
 * `SecretManagerServiceClient` talks to it over plaintext (see `endpoint` in the `gcp:` store).
 *
 * Beyond the data (secret-manager-state.ts) it can misbehave on purpose: fail the next N calls
 * of a method with a gRPC code, and delay every call (per method or all of them). It enforces
 * Secret Manager's per-minute request quotas when asked to (secret-manager-quota.ts). It records
 * every call (method, resource name, the status sent, whether credentials came with it); the
 * record never holds a payload.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { secretManagerServiceDefinition } from './secret-manager-protos.js';
import { createQuotaGate, type SecretManagerQuota } from './secret-manager-quota.js';
import { GrpcFailure, MAX_PAGE_SIZE, SecretManagerState } from './secret-manager-state.js';

/** The methods the emulator implements; every other method of the service is UNIMPLEMENTED. */
export const SECRET_MANAGER_METHODS = [
  'ListSecrets',
  'CreateSecret',
  'AddSecretVersion',
  'GetSecret',
  'DeleteSecret',
  'ListSecretVersions',
  'GetSecretVersion',
  'AccessSecretVersion',
  'DisableSecretVersion',
  'EnableSecretVersion',
  'DestroySecretVersion',
  'UpdateSecret',
  'TestIamPermissions',
] as const;

/**
 * The IAM permission each method needs, as the real service checks it; the emulator refuses a
 * call whose permission is not in its granted set (see {@link SecretManagerEmulator.setPermissions}).
 */
export const SECRET_MANAGER_PERMISSIONS: Readonly<Record<SecretManagerMethod, string | undefined>> =
  Object.freeze({
    ListSecrets: 'secretmanager.secrets.list',
    CreateSecret: 'secretmanager.secrets.create',
    AddSecretVersion: 'secretmanager.versions.add',
    GetSecret: 'secretmanager.secrets.get',
    DeleteSecret: 'secretmanager.secrets.delete',
    ListSecretVersions: 'secretmanager.versions.list',
    GetSecretVersion: 'secretmanager.versions.get',
    AccessSecretVersion: 'secretmanager.versions.access',
    DisableSecretVersion: 'secretmanager.versions.disable',
    EnableSecretVersion: 'secretmanager.versions.enable',
    DestroySecretVersion: 'secretmanager.versions.destroy',
    UpdateSecret: 'secretmanager.secrets.update',
    // Anyone may ask what they may do.
    TestIamPermissions: undefined,
  });

/** One implemented method's name, as the .proto spells it. */
export type SecretManagerMethod = (typeof SECRET_MANAGER_METHODS)[number];

/** A gRPC status, by name (`'UNAVAILABLE'`) or number (`14`). */
export type GrpcStatusName = keyof typeof status;

/** Options of {@link startSecretManagerEmulator}. */
export interface SecretManagerEmulatorOptions {
  /**
   * The loopback address to listen on.
   * @default '127.0.0.1'
   */
  host?: string | undefined;
  /**
   * The port; 0 picks a free one.
   * @default 0
   */
  port?: number | undefined;
  /**
   * A delay before every call is answered, in milliseconds (for a benchmark: a real Secret
   * Manager is tens of milliseconds away).
   * @default 0
   */
  latencyMs?: number | undefined;
  /**
   * The most items one List call returns, whatever page size is asked for (small values let a
   * test prove that a client pages).
   * @default 25000
   */
  maxPageSize?: number | undefined;
  /**
   * The IAM permissions the caller holds (`secretmanager.versions.add`, ...); a call needing
   * another one fails PERMISSION_DENIED, and TestIamPermissions answers from this set.
   * @default every permission
   */
  permissions?: readonly string[] | undefined;
  /**
   * Request quotas to enforce, as the real service does per project (600 writes a minute by
   * default there): a call over its quota fails RESOURCE_EXHAUSTED.
   * @default no quota
   */
  quota?: SecretManagerQuota | undefined;
}

/** A fault to inject with {@link SecretManagerEmulator.failNext}. */
export interface SecretManagerFault {
  /**
   * How many of the next calls fail.
   * @default 1
   */
  count?: number | undefined;
  /**
   * The status they fail with.
   * @default 'UNAVAILABLE'
   */
  code?: GrpcStatusName | status | undefined;
  /** The status message (default: a message naming the fault). */
  message?: string | undefined;
  /**
   * Carry the call out first, then answer with the fault: a write that lands but reports
   * failure (Secret Manager's DEADLINE_EXCEEDED after the commit). @default false
   */
  afterApply?: boolean | undefined;
}

/** One call the emulator answered. */
export interface SecretManagerCall {
  readonly method: SecretManagerMethod;
  /** The `name` or `parent` of the request (never a payload). */
  readonly resource: string;
  /** The status sent, e.g. `OK`, `ALREADY_EXISTS`, `UNAVAILABLE`. */
  readonly code: GrpcStatusName;
  /** True when the call was failed by {@link SecretManagerEmulator.failNext}. */
  readonly injected: boolean;
  /** True when the call carried an `authorization` header (a local client must not send one). */
  readonly authorization: boolean;
  /**
   * The call's `x-goog-request-params` header (the routing header the client sets from the
   * request, e.g. `name=projects%2Fp%2Fsecrets%2Fs%2Fversions%2Flatest`), or `''` without one.
   */
  readonly routing: string;
  /** When the call arrived (`Date.now()`, before any latency), e.g. to check a rate limit. */
  readonly at: number;
}

/** A running emulator. */
export interface SecretManagerEmulator {
  /** `127.0.0.1:<port>`: what the `gcp:` store's `endpoint` option (`--gcp-endpoint`) takes. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** Fails the next `fault.count` calls of `method` with `fault.code`. Faults add up. */
  failNext(method: SecretManagerMethod, fault?: SecretManagerFault): void;
  /** Drops every pending fault. */
  clearFaults(): void;
  /**
   * Sets the IAM permissions the caller holds (see `permissions` in the options); `undefined`
   * grants every permission again.
   */
  setPermissions(permissions: readonly string[] | undefined): void;
  /** Enforces `quota` from now on, with empty windows (`undefined`: no quota). */
  setQuota(quota: SecretManagerQuota | undefined): void;
  /** Sets the delay of every call, or of one method's calls (`undefined` method: all). */
  setLatency(ms: number, method?: SecretManagerMethod): void;
  /** Every call answered so far, oldest first. */
  calls(): readonly SecretManagerCall[];
  /** Forgets the calls recorded so far. */
  clearCalls(): void;
  /** Full names (`projects/p/secrets/s`) of every secret held, sorted. */
  secretNames(): string[];
  /** Drops every secret, fault and recorded call. */
  reset(): void;
  /** Stops the server (pending calls are cancelled). Safe to call twice. */
  close(): Promise<void>;
}

interface Request {
  name?: string;
  parent?: string;
  secretId?: string;
  secret?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    replication?: { replication?: string } | null;
    name?: string;
    etag?: string;
  } | null;
  updateMask?: { paths?: string[] } | null;
  payload?: { data?: Buffer } | null;
  pageSize?: number;
  pageToken?: string;
  filter?: string;
  etag?: string;
  resource?: string;
  permissions?: string[];
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** Starts a local Secret Manager; resolves once it listens. */
export async function startSecretManagerEmulator(
  options: SecretManagerEmulatorOptions = {},
): Promise<SecretManagerEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) {
    throw new Error(`The Secret Manager emulator listens on loopback only, not on ${host}`);
  }
  const maxPageSize = options.maxPageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) {
    throw new Error('maxPageSize must be a positive integer');
  }
  const state = new SecretManagerState();
  const faults = new Map<
    SecretManagerMethod,
    { code: status; message: string | undefined; afterApply: boolean }[]
  >();
  const latency = new Map<SecretManagerMethod | '*', number>([['*', options.latencyMs ?? 0]]);
  const log: SecretManagerCall[] = [];
  let granted: ReadonlySet<string> | undefined =
    options.permissions === undefined ? undefined : new Set(options.permissions);
  const holds = (permission: string) => granted === undefined || granted.has(permission);
  let quota = createQuotaGate(options.quota);

  const handlers: Record<SecretManagerMethod, (request: Request) => unknown> = {
    ListSecrets: (r) =>
      state.listSecrets(
        r.parent ?? '',
        r.filter ?? '',
        r.pageSize ?? 0,
        r.pageToken ?? '',
        maxPageSize,
      ),
    CreateSecret: (r) =>
      state.createSecret(
        r.parent ?? '',
        r.secretId ?? '',
        r.secret?.labels ?? {},
        r.secret?.annotations ?? {},
        r.secret?.replication?.replication !== undefined,
      ),
    AddSecretVersion: (r) =>
      state.addSecretVersion(r.parent ?? '', Buffer.from(r.payload?.data ?? Buffer.alloc(0))),
    GetSecret: (r) => state.getSecret(r.name ?? ''),
    DeleteSecret: (r) => {
      state.deleteSecret(r.name ?? '', r.etag ?? '');
      return {};
    },
    ListSecretVersions: (r) =>
      state.listSecretVersions(
        r.parent ?? '',
        r.filter ?? '',
        r.pageSize ?? 0,
        r.pageToken ?? '',
        maxPageSize,
      ),
    GetSecretVersion: (r) => state.getSecretVersion(r.name ?? ''),
    AccessSecretVersion: (r) => state.accessSecretVersion(r.name ?? ''),
    DisableSecretVersion: (r) => state.setVersionState(r.name ?? '', 'DISABLED'),
    EnableSecretVersion: (r) => state.setVersionState(r.name ?? '', 'ENABLED'),
    DestroySecretVersion: (r) => state.setVersionState(r.name ?? '', 'DESTROYED'),
    UpdateSecret: (r) =>
      state.updateSecret(
        r.secret?.name ?? '',
        r.secret?.etag ?? '',
        r.updateMask?.paths ?? [],
        r.secret?.labels ?? {},
        r.secret?.annotations ?? {},
      ),
    // "If the secret does not exist, this call returns an empty set of permissions, not a
    // NOT_FOUND error" (the API reference of projects.secrets.testIamPermissions).
    TestIamPermissions: (r) => ({
      permissions: state.hasSecret(r.resource ?? '') ? (r.permissions ?? []).filter(holds) : [],
    }),
  };

  const implementation: UntypedServiceImplementation = {};
  for (const method of SECRET_MANAGER_METHODS) {
    implementation[method] = (
      call: ServerUnaryCall<Request, unknown>,
      callback: sendUnaryData<unknown>,
    ) => {
      void answer(method, call, callback);
    };
  }

  async function answer(
    method: SecretManagerMethod,
    call: ServerUnaryCall<Request, unknown>,
    callback: sendUnaryData<unknown>,
  ): Promise<void> {
    const request = call.request;
    const at = Date.now();
    const record = (code: status, injected: boolean) => {
      log.push({
        method,
        resource:
          method === 'CreateSecret'
            ? `${request.parent ?? ''}/secrets/${request.secretId ?? ''}`
            : request.name || request.parent || request.secret?.name || request.resource || '',
        code: statusName(code),
        injected,
        authorization: call.metadata.get('authorization').length > 0,
        routing: String(call.metadata.get('x-goog-request-params')[0] ?? ''),
        at,
      });
    };
    const delay = latency.get(method) ?? latency.get('*') ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (call.cancelled) return;
    const fault = faults.get(method)?.shift();
    if (fault !== undefined) {
      if (fault.afterApply) {
        try {
          handlers[method](request);
        } catch {
          // It fails either way: the fault's answer is what the client sees.
        }
      }
      record(fault.code, true);
      callback(
        serviceError(fault.code, fault.message ?? `Injected ${statusName(fault.code)} (${method})`),
      );
      return;
    }
    try {
      const exhausted = quota.admit(method, at);
      if (exhausted !== undefined) throw new GrpcFailure(status.RESOURCE_EXHAUSTED, exhausted);
      const needed = SECRET_MANAGER_PERMISSIONS[method];
      if (needed !== undefined && !holds(needed)) {
        const resource = request.name || request.parent || '';
        throw new GrpcFailure(
          status.PERMISSION_DENIED,
          `Permission '${needed}' denied on resource '${resource}' (or it may not exist).`,
        );
      }
      const response = handlers[method](request);
      record(status.OK, false);
      callback(null, response);
    } catch (error) {
      const failure =
        error instanceof GrpcFailure
          ? error
          : new GrpcFailure(status.INTERNAL, `The emulator failed: ${String(error)}`);
      record(failure.code, false);
      callback(serviceError(failure.code, failure.message));
    }
  }

  const server = new Server();
  server.addService(secretManagerServiceDefinition(), implementation);
  const port = await new Promise<number>((resolve, reject) => {
    const address = host.includes(':') ? `[${host}]` : host;
    server.bindAsync(
      `${address}:${options.port ?? 0}`,
      ServerCredentials.createInsecure(),
      (error, bound) => (error === null ? resolve(bound) : reject(error)),
    );
  });
  let closed = false;

  return {
    endpoint: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    failNext(method, fault = {}) {
      if (!SECRET_MANAGER_METHODS.includes(method)) {
        throw new Error(`Unknown Secret Manager method ${String(method)}`);
      }
      const code = typeof fault.code === 'string' ? status[fault.code] : fault.code;
      const count = fault.count ?? 1;
      if (code === undefined && fault.code !== undefined) {
        throw new Error(`Unknown gRPC status ${String(fault.code)}`);
      }
      if (code === status.OK) throw new Error('A fault cannot be OK');
      if (!Number.isInteger(count) || count < 0) {
        throw new Error('fault.count must be a whole number');
      }
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < count; i++) {
        queue.push({
          code: code ?? status.UNAVAILABLE,
          message: fault.message,
          afterApply: fault.afterApply === true,
        });
      }
      faults.set(method, queue);
    },
    clearFaults() {
      faults.clear();
    },
    setPermissions(permissions) {
      granted = permissions === undefined ? undefined : new Set(permissions);
    },
    setQuota(next) {
      quota = createQuotaGate(next);
    },
    setLatency(ms, method) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be >= 0 ms');
      latency.set(method ?? '*', ms);
    },
    calls: () => [...log],
    clearCalls() {
      log.length = 0;
    },
    secretNames: () => state.names(),
    reset() {
      state.clear();
      faults.clear();
      log.length = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls still in flight (a long latency) must not keep the process alive.
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      });
    },
  };
}

function statusName(code: status): GrpcStatusName {
  return (status[code] as GrpcStatusName | undefined) ?? 'UNKNOWN';
}

function serviceError(code: status, details: string): Partial<ServiceError> {
  return { code, details, metadata: new Metadata() };
}
