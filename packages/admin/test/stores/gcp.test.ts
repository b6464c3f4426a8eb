/**
 * The `gcp:` store: the real SecretManagerServiceClient against the local gRPC Secret Manager on
 * loopback. The contract suite, then what only Secret Manager does: retries of transient codes,
 * clear errors for the others, the loopback-only endpoint, and no credentials or metadata server.
 */
import { isIP, Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createGcpSecretStore,
  type GcpSecretStoreOptions,
  isSecretStoreError,
  openSecretStore,
  type SecretStore,
} from '../../src/index.js';
import { createSecretManagerClient, LOOPBACK_AUTH } from '../../src/stores/gcp-client.js';
import { type SecretManagerEmulator, startSecretManagerEmulator } from '../../src/testing.js';
import { secretStoreContract } from './contract.js';

const PROJECT = 'stemedb-test';
const KEY = `steme_live_${'c3'.repeat(24)}`;
// Retries without waiting, so that fault tests are quick; the schedule itself is p-retry's.
const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 5, jitter: false };

function gcpStore(emulator: SecretManagerEmulator, extra: GcpSecretStoreOptions = {}) {
  return createGcpSecretStore({
    project: PROJECT,
    endpoint: emulator.endpoint,
    retry: FAST_RETRY,
    ...extra,
  });
}

// Every socket this file opens is recorded: a client that looked for credentials would dial
// the GCE metadata server (169.254.169.254 / metadata.google.internal) or Google itself. The
// last test asserts that nothing but loopback was dialled.
const dialled: string[] = [];
const originalConnect = Socket.prototype.connect;
beforeAll(() => {
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    dialled.push(targetOf(args));
    return (originalConnect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;
});
afterAll(() => {
  Socket.prototype.connect = originalConnect;
});

function targetOf(args: unknown[]): string {
  const [first, second] = args;
  if (Array.isArray(first)) return targetOf(first);
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: string; path?: string };
    return o.path !== undefined ? `ipc:${o.path}` : (o.host ?? 'localhost');
  }
  if (typeof first === 'number') return typeof second === 'string' ? second : 'localhost';
  return `ipc:${String(first)}`;
}

function isLoopbackTarget(target: string): boolean {
  const host = target.replace(/^\[|\]$/g, '');
  return (
    target.startsWith('ipc:') ||
    host === 'localhost' ||
    host === '::1' ||
    (isIP(host) === 4 && host.startsWith('127.'))
  );
}

secretStoreContract('gcp', async () => {
  const emulator = await startSecretManagerEmulator();
  return {
    store: gcpStore(emulator),
    openAnother: async () => gcpStore(emulator),
    cleanup: () => emulator.close(),
  };
});

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSecretStoreError(error))
    throw new Error(`expected a SecretStoreError, got ${String(error)}`);
  return error;
}

describe('gcp: against the local Secret Manager', () => {
  let emulator: SecretManagerEmulator;
  let store: SecretStore;
  beforeEach(async () => {
    emulator = await startSecretManagerEmulator();
    store = gcpStore(emulator);
  });
  afterEach(async () => {
    await store.close();
    await emulator.close();
  });

  it('names secrets projects/<project>/secrets/<name>, with automatic replication', async () => {
    await store.writeVersion('stemedb-root-api-key', KEY);
    await store.writeVersion('stemedb-key-billing', KEY);
    expect(emulator.secretNames()).toEqual([
      `projects/${PROJECT}/secrets/stemedb-key-billing`,
      `projects/${PROJECT}/secrets/stemedb-root-api-key`,
    ]);
    expect(store.spec).toBe(`gcp:${PROJECT}`);
  });

  it("sends each call's own routing header, however many calls are in flight together", async () => {
    // gax writes x-goog-request-params into the options object it is given and reads it after
    // an await: calls that shared one object sent the last caller's secret name.
    const names = Array.from({ length: 12 }, (_, i) => `stemedb-key-route-${i}`);
    await Promise.all(names.map((name) => store.writeVersion(name, KEY)));
    await Promise.all(names.map((name) => store.readLatest(name)));
    await store.preflight({ operations: ['read', 'write'] });
    const calls = emulator.calls().filter((c) => c.method !== 'ListSecrets');
    expect(calls.length).toBeGreaterThan(3 * names.length);
    for (const call of calls) {
      // CreateSecret is routed by its parent; the log names the secret it creates.
      const routedBy =
        call.method === 'CreateSecret'
          ? call.resource.replace(/\/secrets\/[^/]+$/, '')
          : call.resource;
      expect(decodeURIComponent(call.routing.replace(/^[a-z_]+=/, ''))).toBe(routedBy);
    }
  });

  it('writeVersion creates a secret only when it is absent: one write for an existing one', async () => {
    await store.writeVersion('stemedb-key-a', KEY);
    expect(emulator.calls().map((c) => [c.method, c.code])).toEqual([
      ['ListSecrets', 'OK'],
      ['CreateSecret', 'OK'],
      ['AddSecretVersion', 'OK'],
    ]);
    emulator.clearCalls();
    const second = await store.writeVersion('stemedb-key-a', `${KEY}x`);
    expect(second.version).toBe('2');
    expect(emulator.calls().map((c) => [c.method, c.code])).toEqual([['AddSecretVersion', 'OK']]);
    // Another store, whose first listing finds it, adds without creating either.
    const other = gcpStore(emulator);
    await other.writeVersion('stemedb-key-a', `${KEY}y`);
    await other.close();
    expect(emulator.calls().map((c) => c.method)).toEqual([
      'AddSecretVersion',
      'ListSecrets',
      'AddSecretVersion',
    ]);
  });

  it('writeVersion stays right when its knowledge is stale: created or deleted by someone else', async () => {
    await store.writeVersion('stemedb-key-a', KEY);
    const other = gcpStore(emulator);
    await other.delete('stemedb-key-a');
    await other.writeVersion('stemedb-key-b', KEY);
    emulator.clearCalls();
    // `store` believes a exists (NOT_FOUND: create, add) and b absent (ALREADY_EXISTS: add).
    await store.writeVersion('stemedb-key-a', `${KEY}2`);
    await store.writeVersion('stemedb-key-b', `${KEY}2`);
    expect(emulator.calls().map((c) => `${c.method}:${c.code}`)).toEqual([
      'AddSecretVersion:NOT_FOUND',
      'CreateSecret:OK',
      'AddSecretVersion:OK',
      'CreateSecret:ALREADY_EXISTS',
      'AddSecretVersion:OK',
    ]);
    expect(await store.readLatest('stemedb-key-a')).toBe(`${KEY}2`);
    expect(await store.readLatest('stemedb-key-b')).toBe(`${KEY}2`);
    await other.close();
  });

  it('retries UNAVAILABLE, then succeeds', async () => {
    emulator.failNext('CreateSecret', { count: 2, code: 'UNAVAILABLE' });
    emulator.failNext('AddSecretVersion', { count: 1, code: 'DEADLINE_EXCEEDED' });
    emulator.failNext('AccessSecretVersion', { count: 1, code: 'RESOURCE_EXHAUSTED' });
    await store.writeVersion('stemedb-key-a', KEY);
    expect(await store.readLatest('stemedb-key-a')).toBe(KEY);
    const calls = emulator.calls().map((c) => `${c.method}:${c.code}`);
    expect(calls).toEqual([
      'ListSecrets:OK',
      'CreateSecret:UNAVAILABLE',
      'CreateSecret:UNAVAILABLE',
      'CreateSecret:OK',
      'AddSecretVersion:DEADLINE_EXCEEDED',
      'AddSecretVersion:OK',
      'AccessSecretVersion:RESOURCE_EXHAUSTED',
      'AccessSecretVersion:OK',
    ]);
  });

  it('gives up after the configured retries with code unavailable and the attempt count', async () => {
    const limited = gcpStore(emulator, { retry: { ...FAST_RETRY, retries: 2 } });
    emulator.failNext('AccessSecretVersion', { count: 5, code: 'UNAVAILABLE' });
    const error = await failure(limited.readLatest('stemedb-key-a'));
    await limited.close();
    expect(error).toMatchObject({ code: 'unavailable', grpcCode: 'UNAVAILABLE', attempts: 3 });
    expect(error.message).toContain('after 3 attempts');
    expect(emulator.calls()).toHaveLength(3);
  });

  it('does not retry PERMISSION_DENIED and says what is missing', async () => {
    emulator.failNext('CreateSecret', { code: 'PERMISSION_DENIED', message: 'Permission denied' });
    const error = await failure(store.writeVersion('stemedb-key-a', KEY));
    expect(error).toMatchObject({
      code: 'permission_denied',
      grpcCode: 'PERMISSION_DENIED',
      store: 'gcp',
      secret: 'stemedb-key-a',
      operation: 'writeVersion',
      attempts: 1,
    });
    expect(error.message).toMatch(/project stemedb-test/);
    expect(error.message).toMatch(/roles\/secretmanager/);
    expect(emulator.calls().filter((c) => c.method === 'CreateSecret')).toHaveLength(1);
  });

  it.each([
    { grpc: 'UNAUTHENTICATED', want: 'unauthenticated' },
    { grpc: 'ABORTED', want: 'conflict' },
    { grpc: 'INTERNAL', want: 'store_error' },
    { grpc: 'FAILED_PRECONDITION', want: 'store_error' },
  ] as const)('maps $grpc to $want without retrying', async ({ grpc, want }) => {
    emulator.failNext('ListSecrets', { code: grpc, count: 2 });
    const error = await failure(store.list(''));
    expect(error).toMatchObject({ code: want, grpcCode: grpc, attempts: 1 });
  });

  it('never puts the value in an error, even when the server echoes it', async () => {
    emulator.failNext('AddSecretVersion', {
      code: 'INVALID_ARGUMENT',
      message: `bad payload ${KEY} ${Buffer.from(KEY).toString('base64')}`,
    });
    const error = await failure(store.writeVersion('stemedb-key-a', 'not-key-shaped-secret-value'));
    emulator.failNext('AddSecretVersion', {
      code: 'INVALID_ARGUMENT',
      message: 'echo not-key-shaped-secret-value',
    });
    const other = await failure(store.writeVersion('stemedb-key-a', 'not-key-shaped-secret-value'));
    for (const e of [error, other]) {
      for (const text of [String(e), JSON.stringify(e), inspect(e, { depth: 5 }), e.stack ?? '']) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain('c3c3c3');
        expect(text).not.toContain('not-key-shaped-secret-value');
      }
    }
  });

  it('aborts a pending retry wait when the signal fires', async () => {
    const slow = gcpStore(emulator, { retry: { retries: 5, minDelayMs: 60_000, jitter: false } });
    emulator.failNext('AccessSecretVersion', { code: 'UNAVAILABLE' });
    const controller = new AbortController();
    const pending = failure(slow.readLatest('stemedb-key-a', { signal: controller.signal }));
    while (emulator.calls().length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('stop'));
    expect((await pending).code).toBe('aborted');
    await slow.close();
  });

  it('lists by prefix across pages, selecting by its label: names outside the shared rule and secrets others made are left out', async () => {
    await emulator.close();
    emulator = await startSecretManagerEmulator({ maxPageSize: 2 });
    store = gcpStore(emulator);
    for (const name of [
      'stemedb-key-c',
      'stemedb-key-a',
      'stemedb-key-b',
      'stemedb-root-api-key',
    ]) {
      await store.writeVersion(name, KEY);
    }
    // Secrets made by something else: one with a name no store method would accept, one with
    // a valid name but without the store's label (`gcloud secrets create`, Terraform).
    const raw = await createSecretManagerClient({ host: '127.0.0.1', port: emulator.port });
    for (const secretId of ['stemedb-key-Upper_case', 'stemedb-key-theirs']) {
      await raw.createSecret({
        parent: `projects/${PROJECT}`,
        secretId,
        secret: { replication: { automatic: {} } },
      });
    }
    await raw.close();
    expect(await store.list('stemedb-key-')).toEqual([
      'stemedb-key-a',
      'stemedb-key-b',
      'stemedb-key-c',
    ]);
    const lists = emulator.calls().filter((c) => c.method === 'ListSecrets');
    expect(lists.length).toBeGreaterThan(1);
  });

  it('writeIfAbsent takes over a secret whose creator never added a version', async () => {
    const quick = gcpStore(emulator, { claimTimeoutMs: 20 });
    const raw = await createSecretManagerClient({ host: '127.0.0.1', port: emulator.port });
    await raw.createSecret({
      parent: `projects/${PROJECT}`,
      secretId: 'stemedb-root-api-key',
      secret: { replication: { automatic: {} } },
    });
    await raw.close();
    const result = await quick.writeIfAbsent('stemedb-root-api-key', KEY);
    expect(result).toEqual({ written: true, value: KEY, version: '1' });
    await quick.close();
  });

  it('writeIfAbsent: of a stalled creator and a waiter that took over, the first version wins', async () => {
    // The creator's first AddSecretVersion fails and it waits a second before retrying; the
    // waiter gives up on it at once and adds version 1. The creator's retry adds version 2, it
    // finds it is not first, destroys its own and reports the winner.
    const creatorValue = `${KEY}-creator`;
    const waiterValue = `${KEY}-waiter`;
    const creator = gcpStore(emulator, { retry: { retries: 1, minDelayMs: 1000, jitter: false } });
    const waiter = gcpStore(emulator, { claimTimeoutMs: 0 });
    emulator.failNext('AddSecretVersion', { code: 'UNAVAILABLE' });
    const creating = creator.writeIfAbsent('stemedb-root-api-key', creatorValue);
    while (!emulator.calls().some((c) => c.method === 'AddSecretVersion')) {
      await new Promise((r) => setTimeout(r, 2));
    }
    const waiting = waiter.writeIfAbsent('stemedb-root-api-key', waiterValue);
    const [a, b] = await Promise.all([creating, waiting]);
    expect([a.written, b.written]).toEqual([false, true]);
    // The loser adds the winner's value again (version 3) before destroying its own (2), so
    // that `latest`, the most recently created version, is never the destroyed one.
    expect(a).toMatchObject({ value: waiterValue, version: '3' });
    expect(b).toMatchObject({ value: waiterValue, version: '1' });
    const destroyed = emulator.calls().filter((c) => c.method === 'DestroySecretVersion');
    expect(destroyed.map((c) => [c.resource.split('/').at(-1), c.code])).toEqual([['2', 'OK']]);
    expect(await store.readLatest('stemedb-root-api-key')).toBe(waiterValue);
    expect(await rawLatest(emulator, 'stemedb-root-api-key')).toBe(waiterValue);
    expect((await store.listVersions('stemedb-root-api-key')).map((v) => v.version)).toEqual([
      '1',
      '3',
    ]);
    await creator.close();
    await waiter.close();
  });

  it.each(['DISABLED', 'DESTROYED'] as const)(
    'reads no key when the latest version is %s, whatever older versions hold',
    async (state) => {
      await store.writeVersion('stemedb-key-a', `${KEY}1`);
      await store.writeVersion('stemedb-key-a', `${KEY}2`);
      const raw = await createSecretManagerClient({ host: '127.0.0.1', port: emulator.port });
      const name = `projects/${PROJECT}/secrets/stemedb-key-a/versions/2`;
      await (state === 'DISABLED'
        ? raw.disableSecretVersion({ name })
        : raw.destroySecretVersion({ name }));
      await raw.close();
      // What External Secrets and `gcloud secrets versions access latest` get: nothing.
      expect(await store.readLatest('stemedb-key-a')).toBeUndefined();
      // A write repairs it: the new version is the latest.
      await store.writeVersion('stemedb-key-a', `${KEY}3`);
      expect(await store.readLatest('stemedb-key-a')).toBe(`${KEY}3`);
    },
  );

  it('writeIfAbsent writes when latest is disabled, without waiting for a claim', async () => {
    await store.writeVersion('stemedb-root-api-key', `${KEY}old`);
    const raw = await createSecretManagerClient({ host: '127.0.0.1', port: emulator.port });
    await raw.disableSecretVersion({
      name: `projects/${PROJECT}/secrets/stemedb-root-api-key/versions/1`,
    });
    await raw.close();
    const started = Date.now();
    const result = await store.writeIfAbsent('stemedb-root-api-key', KEY);
    expect(Date.now() - started).toBeLessThan(5_000); // the claim wait is 10 s
    expect(result).toEqual({ written: true, value: KEY, version: '2' });
    expect(await rawLatest(emulator, 'stemedb-root-api-key')).toBe(KEY);
  });
});

/** `versions/latest` as any reader outside this package sees it. */
async function rawLatest(emulator: SecretManagerEmulator, secret: string): Promise<string> {
  const raw = await createSecretManagerClient({ host: '127.0.0.1', port: emulator.port });
  try {
    const [response] = await raw.accessSecretVersion({
      name: `projects/${PROJECT}/secrets/${secret}/versions/latest`,
    });
    return String(response.payload?.data);
  } finally {
    await raw.close();
  }
}

describe('gcp: options, endpoint and credentials', () => {
  it.each([
    '10.0.0.5:8085',
    'secretmanager.googleapis.com:443',
    '169.254.169.254:80',
    '0.0.0.0:8085',
    '[2001:db8::1]:8085',
    '127.0.0.1',
    '127.0.0.1:0',
    '127.0.0.1:99999',
    'http://127.0.0.1:8085',
  ])('refuses the endpoint %s', (endpoint) => {
    let error: unknown;
    try {
      createGcpSecretStore({ project: PROJECT, endpoint });
    } catch (e) {
      error = e;
    }
    expect(isSecretStoreError(error) && [error.code, error.part]).toEqual([
      'invalid_store_options',
      'endpoint',
    ]);
  });

  it.each(['127.0.0.1:8085', '127.1.2.3:1', 'localhost:8085', '[::1]:8085'])(
    'accepts the loopback endpoint %s',
    (endpoint) => {
      expect(createGcpSecretStore({ project: PROJECT, endpoint }).spec).toBe(`gcp:${PROJECT}`);
    },
  );

  it('openSecretStore passes gcpEndpoint and refuses a non-loopback one naming the option', async () => {
    const error = await failure(openSecretStore('gcp:my-project', { gcpEndpoint: '10.1.1.1:1' }));
    expect([error.code, error.part]).toEqual(['invalid_store_options', 'gcpEndpoint']);
    const emulator = await startSecretManagerEmulator();
    const store = await openSecretStore('gcp:my-project', {
      gcpEndpoint: emulator.endpoint,
      gcp: { retry: { retries: 0 } },
    });
    await store.writeVersion('stemedb-key-a', KEY);
    expect(emulator.secretNames()).toEqual(['projects/my-project/secrets/stemedb-key-a']);
    await store.close();
    await emulator.close();
  });

  it.each([
    { spec: 'gcp:', env: {}, part: 'project' },
    { spec: 'gcp:Bad_Project', env: {}, part: 'project' },
    { spec: 'gcp:', env: { GOOGLE_CLOUD_PROJECT: 'x' }, part: 'project' },
  ])('refuses the spec $spec with env $env naming the $part', async ({ spec, env, part }) => {
    const error = await failure(openSecretStore(spec, { env }));
    expect([error.code, error.part]).toEqual(['invalid_store_spec', part]);
  });

  it('takes the project from GOOGLE_CLOUD_PROJECT when the spec names none', async () => {
    const store = await openSecretStore('gcp:', {
      env: { GOOGLE_CLOUD_PROJECT: 'from-env-project' },
    });
    expect(store.spec).toBe('gcp:from-env-project');
    await store.close();
  });

  it.each([
    { options: { project: PROJECT, retries: 3 }, part: 'retries' },
    { options: { project: PROJECT, retry: { tries: 3 } }, part: 'retry.tries' },
    { options: { project: PROJECT, timeoutMs: -1 }, part: 'timeoutMs' },
  ])('refuses the option $part', ({ options, part }) => {
    let error: unknown;
    try {
      createGcpSecretStore(options as GcpSecretStoreOptions);
    } catch (e) {
      error = e;
    }
    expect(isSecretStoreError(error) && [error.code, error.part]).toEqual([
      'invalid_store_options',
      part,
    ]);
  });

  it('builds a loopback client with the credential-refusing stub, so no metadata server is asked', async () => {
    const client = await createSecretManagerClient({ host: '127.0.0.1', port: 1 });
    const auth = client.auth as unknown as typeof LOOPBACK_AUTH;
    expect(auth.getUniverseDomain).toBe(LOOPBACK_AUTH.getUniverseDomain);
    await expect(auth.getClient()).rejects.toThrow(/no credentials/);
    await expect(auth.getRequestHeaders()).rejects.toThrow(/no credentials/);
    await client.close();
  });

  it('works with no Google credentials or project in the environment, sending none', async () => {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) {
      if (/^(GOOGLE_|GCLOUD_|GCE_|CLOUDSDK_|METADATA_SERVER)/.test(name)) delete process.env[name];
    }
    // Were the client to look for credentials, this would send it somewhere it cannot go.
    process.env.GOOGLE_APPLICATION_CREDENTIALS = '/nonexistent/credentials.json';
    process.env.GCE_METADATA_HOST = '127.0.0.1:1';
    const emulator = await startSecretManagerEmulator();
    try {
      const store = gcpStore(emulator);
      await store.writeVersion('stemedb-key-a', KEY);
      expect(await store.readLatest('stemedb-key-a')).toBe(KEY);
      await store.close();
      expect(emulator.calls().length).toBeGreaterThan(0);
      expect(emulator.calls().every((c) => !c.authorization)).toBe(true);
    } finally {
      await emulator.close();
      for (const name of Object.keys(process.env)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});

describe('gcp: the network', () => {
  it('dialled nothing but loopback in this whole file (no metadata server, no Google)', () => {
    expect(dialled.length).toBeGreaterThan(0);
    expect(dialled.filter((target) => !isLoopbackTarget(target))).toEqual([]);
  });
});
