/**
 * The local Secret Manager, driven by the real `SecretManagerServiceClient` over plaintext
 * loopback: the semantics the `gcp:` store relies on, paging, faults and the call log.
 */
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { credentials } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SecretManagerEmulator, startSecretManagerEmulator } from '../../src/testing.js';

// No credentials: a stub that fails if the client ever asks for any.
const NO_AUTH = {
  getUniverseDomain: async () => 'googleapis.com',
  getClient: async () => {
    throw new Error('credentials were requested');
  },
};
const PARENT = 'projects/emulator-test';
const AUTOMATIC = { replication: { automatic: {} } };

let emulator: SecretManagerEmulator;
let client: SecretManagerServiceClient;

async function start(options: Parameters<typeof startSecretManagerEmulator>[0] = {}) {
  emulator = await startSecretManagerEmulator(options);
  client = new SecretManagerServiceClient({
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
    auth: NO_AUTH as never,
  });
}

function codeOf(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

describe('startSecretManagerEmulator', () => {
  beforeEach(() => start());
  afterEach(async () => {
    await client.close();
    await emulator.close();
  });

  it('listens on 127.0.0.1 on a port it picked', () => {
    expect(emulator.host).toBe('127.0.0.1');
    expect(emulator.port).toBeGreaterThan(0);
    expect(emulator.endpoint).toBe(`127.0.0.1:${emulator.port}`);
  });

  it('refuses to listen on a non-loopback address', async () => {
    await expect(startSecretManagerEmulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('creates a secret once, then answers ALREADY_EXISTS', async () => {
    const [secret] = await client.createSecret({
      parent: PARENT,
      secretId: 's1',
      secret: AUTOMATIC,
    });
    expect(secret.name).toBe(`${PARENT}/secrets/s1`);
    expect(secret.replication?.automatic).toBeDefined();
    const again = await client
      .createSecret({ parent: PARENT, secretId: 's1', secret: AUTOMATIC })
      .catch((e: unknown) => e);
    expect(codeOf(again)).toBe(6); // ALREADY_EXISTS
  });

  it('requires replication and a valid secret id', async () => {
    const noReplication = await client
      .createSecret({ parent: PARENT, secretId: 's1', secret: {} })
      .catch((e: unknown) => e);
    expect(codeOf(noReplication)).toBe(3); // INVALID_ARGUMENT
    const badId = await client
      .createSecret({ parent: PARENT, secretId: 'has.dot', secret: AUTOMATIC })
      .catch((e: unknown) => e);
    expect(codeOf(badId)).toBe(3);
  });

  it('numbers versions, and accesses latest and a numbered one', async () => {
    await client.createSecret({ parent: PARENT, secretId: 's1', secret: AUTOMATIC });
    const [v1] = await client.addSecretVersion({
      parent: `${PARENT}/secrets/s1`,
      payload: { data: Buffer.from('one') },
    });
    const [v2] = await client.addSecretVersion({
      parent: `${PARENT}/secrets/s1`,
      payload: { data: Buffer.from('two') },
    });
    expect([v1.name, v2.name]).toEqual([
      `${PARENT}/secrets/s1/versions/1`,
      `${PARENT}/secrets/s1/versions/2`,
    ]);
    const [latest] = await client.accessSecretVersion({
      name: `${PARENT}/secrets/s1/versions/latest`,
    });
    expect(String(latest.payload?.data)).toBe('two');
    expect(latest.name).toBe(`${PARENT}/secrets/s1/versions/2`);
    const [first] = await client.accessSecretVersion({ name: `${PARENT}/secrets/s1/versions/1` });
    expect(String(first.payload?.data)).toBe('one');
  });

  it('answers NOT_FOUND for an absent secret and for a secret with no versions', async () => {
    const absent = await client
      .accessSecretVersion({ name: `${PARENT}/secrets/nope/versions/latest` })
      .catch((e: unknown) => e);
    expect(codeOf(absent)).toBe(5);
    await client.createSecret({ parent: PARENT, secretId: 'empty', secret: AUTOMATIC });
    const empty = await client
      .accessSecretVersion({ name: `${PARENT}/secrets/empty/versions/latest` })
      .catch((e: unknown) => e);
    expect(codeOf(empty)).toBe(5);
  });

  it('refuses to access a destroyed version, and lists versions newest first', async () => {
    await client.createSecret({ parent: PARENT, secretId: 's1', secret: AUTOMATIC });
    for (const data of ['one', 'two']) {
      await client.addSecretVersion({
        parent: `${PARENT}/secrets/s1`,
        payload: { data: Buffer.from(data) },
      });
    }
    await client.destroySecretVersion({ name: `${PARENT}/secrets/s1/versions/2` });
    const destroyed = await client
      .accessSecretVersion({ name: `${PARENT}/secrets/s1/versions/latest` })
      .catch((e: unknown) => e);
    expect(codeOf(destroyed)).toBe(9); // FAILED_PRECONDITION
    const [versions] = await client.listSecretVersions({ parent: `${PARENT}/secrets/s1` });
    expect(versions.map((v) => [v.name?.split('/').at(-1), v.state])).toEqual([
      ['2', 'DESTROYED'],
      ['1', 'ENABLED'],
    ]);
  });

  it('resolves latest to the most recently created version even when it is disabled', async () => {
    await client.createSecret({ parent: PARENT, secretId: 's2', secret: AUTOMATIC });
    for (const data of ['one', 'two']) {
      await client.addSecretVersion({
        parent: `${PARENT}/secrets/s2`,
        payload: { data: Buffer.from(data) },
      });
    }
    await client.disableSecretVersion({ name: `${PARENT}/secrets/s2/versions/2` });
    const disabled = await client
      .accessSecretVersion({ name: `${PARENT}/secrets/s2/versions/latest` })
      .catch((e: unknown) => e);
    expect(codeOf(disabled)).toBe(9); // FAILED_PRECONDITION, not version 1's value
    const [latest] = await client.getSecretVersion({
      name: `${PARENT}/secrets/s2/versions/latest`,
    });
    expect([latest.name?.split('/').at(-1), latest.state]).toEqual(['2', 'DISABLED']);
    await client.enableSecretVersion({ name: `${PARENT}/secrets/s2/versions/2` });
    const [enabled] = await client.accessSecretVersion({
      name: `${PARENT}/secrets/s2/versions/latest`,
    });
    expect(String(enabled.payload?.data)).toBe('two');
  });

  it('filters secrets by label, alone and with AND', async () => {
    const labelled = { ...AUTOMATIC, labels: { 'managed-by': 'stemedb-admin' } };
    await client.createSecret({ parent: PARENT, secretId: 'mine-a', secret: labelled });
    await client.createSecret({ parent: PARENT, secretId: 'theirs-a', secret: AUTOMATIC });
    await client.createSecret({
      parent: PARENT,
      secretId: 'other-b',
      secret: { ...AUTOMATIC, labels: { 'managed-by': 'terraform' } },
    });
    const names = async (filter: string) =>
      (await client.listSecrets({ parent: PARENT, filter }))[0].map((s) =>
        s.name?.split('/').at(-1),
      );
    expect(await names('labels.managed-by=stemedb-admin')).toEqual(['mine-a']);
    expect(await names('labels.managed-by:terraform')).toEqual(['other-b']);
    expect(await names('labels.managed-by=stemedb-admin AND name:theirs')).toEqual([]);
    const bad = await names('labels.managed-by~x').catch((e: unknown) => e);
    expect(codeOf(bad)).toBe(3); // INVALID_ARGUMENT
  });

  it('answers TestIamPermissions from its permission set, empty for an absent secret, and enforces it', async () => {
    await client.createSecret({ parent: PARENT, secretId: 'held', secret: AUTOMATIC });
    const ask = ['secretmanager.versions.add', 'secretmanager.versions.access'];
    const test = async (secret: string) =>
      (
        await client.testIamPermissions({
          resource: `${PARENT}/secrets/${secret}`,
          permissions: ask,
        })
      )[0].permissions;
    expect(await test('held')).toEqual(ask);
    expect(await test('absent')).toEqual([]);
    emulator.setPermissions(['secretmanager.versions.access']);
    expect(await test('held')).toEqual(['secretmanager.versions.access']);
    const denied = await client
      .addSecretVersion({ parent: `${PARENT}/secrets/held`, payload: { data: Buffer.from('x') } })
      .catch((e: unknown) => e);
    expect(codeOf(denied)).toBe(7); // PERMISSION_DENIED
    expect(String((denied as Error).message)).toContain("'secretmanager.versions.add' denied");
    emulator.setPermissions(undefined);
    await client.addSecretVersion({
      parent: `${PARENT}/secrets/held`,
      payload: { data: Buffer.from('x') },
    });
  });

  it('filters secrets by name and pages through them', async () => {
    await emulator.close();
    await client.close();
    await start({ maxPageSize: 2 });
    for (const id of ['stemedb-key-a', 'stemedb-key-b', 'stemedb-key-c', 'other']) {
      await client.createSecret({ parent: PARENT, secretId: id, secret: AUTOMATIC });
    }
    const [page, next] = await client.listSecrets(
      { parent: PARENT, filter: 'name:stemedb-key-', pageSize: 100 },
      { autoPaginate: false },
    );
    expect(page.map((s) => s.name)).toEqual([
      `${PARENT}/secrets/stemedb-key-a`,
      `${PARENT}/secrets/stemedb-key-b`,
    ]);
    expect(next?.pageToken).toBeTruthy();
    const [all] = await client.listSecrets({ parent: PARENT, filter: 'name:stemedb-key-' });
    expect(all.map((s) => s.name?.split('/').at(-1))).toEqual([
      'stemedb-key-a',
      'stemedb-key-b',
      'stemedb-key-c',
    ]);
    const unsupported = await client
      .listSecrets({ parent: PARENT, filter: 'create_time>2021-01-01' })
      .catch((e: unknown) => e);
    expect(codeOf(unsupported)).toBe(3);
  });

  it('deletes a secret, conditionally on its etag', async () => {
    const [secret] = await client.createSecret({
      parent: PARENT,
      secretId: 's1',
      secret: AUTOMATIC,
    });
    const stale = await client
      .deleteSecret({ name: `${PARENT}/secrets/s1`, etag: '"stale"' })
      .catch((e: unknown) => e);
    expect(codeOf(stale)).toBe(10); // ABORTED
    await client.deleteSecret({ name: `${PARENT}/secrets/s1`, etag: secret.etag ?? '' });
    expect(emulator.secretNames()).toEqual([]);
  });

  it('fails the next N calls of a method with the given code, then recovers', async () => {
    emulator.failNext('CreateSecret', { count: 2, code: 'UNAVAILABLE' });
    for (let i = 0; i < 2; i++) {
      const error = await client
        .createSecret({ parent: PARENT, secretId: 's1', secret: AUTOMATIC }, { retry: null })
        .catch((e: unknown) => e);
      expect(codeOf(error)).toBe(14);
    }
    await client.createSecret(
      { parent: PARENT, secretId: 's1', secret: AUTOMATIC },
      { retry: null },
    );
    expect(emulator.calls().map((c) => [c.method, c.code, c.injected])).toEqual([
      ['CreateSecret', 'UNAVAILABLE', true],
      ['CreateSecret', 'UNAVAILABLE', true],
      ['CreateSecret', 'OK', false],
    ]);
  });

  it('records each call with its resource, never a payload, and no credentials', async () => {
    await client.createSecret({ parent: PARENT, secretId: 's1', secret: AUTOMATIC });
    await client.addSecretVersion({
      parent: `${PARENT}/secrets/s1`,
      payload: { data: Buffer.from('steme_live_payload') },
    });
    const calls = emulator.calls();
    expect(calls.map((c) => c.resource)).toEqual([`${PARENT}/secrets/s1`, `${PARENT}/secrets/s1`]);
    expect(calls.every((c) => !c.authorization)).toBe(true);
    expect(JSON.stringify(calls)).not.toContain('payload');
    emulator.clearCalls();
    expect(emulator.calls()).toEqual([]);
  });

  it('answers UNIMPLEMENTED for methods it does not implement', async () => {
    const error = await client
      .setIamPolicy({ resource: `${PARENT}/secrets/s1`, policy: {} })
      .catch((e: unknown) => e);
    expect(codeOf(error)).toBe(12);
  });

  it('updates annotations by etag, as the real API does: a stale etag is ABORTED and changes nothing', async () => {
    const [made] = await client.createSecret({
      parent: PARENT,
      secretId: 'leased',
      secret: { replication: { automatic: {} }, annotations: { a: '1' } },
    });
    const name = `${PARENT}/secrets/leased`;
    const [updated] = await client.updateSecret({
      secret: { name, etag: made.etag, annotations: { a: '2' } },
      updateMask: { paths: ['annotations'] },
    });
    expect(updated.annotations).toEqual({ a: '2' });
    expect(updated.etag).not.toBe(made.etag);
    const stale = await client
      .updateSecret(
        {
          secret: { name, etag: made.etag, annotations: { a: '3' } },
          updateMask: { paths: ['annotations'] },
        },
        { retry: null },
      )
      .catch((e: unknown) => e);
    expect(codeOf(stale)).toBe(10);
    const [now] = await client.getSecret({ name });
    expect(now.annotations).toEqual({ a: '2' });
  });

  it('delays calls by the latency set, for the benchmark', async () => {
    emulator.setLatency(5, 'GetSecret');
    emulator.failNext('GetSecret', { code: 'NOT_FOUND' });
    // The delay itself is not asserted (no timed assertions); that it still answers is.
    const error = await client
      .getSecret({ name: `${PARENT}/secrets/x` }, { retry: null })
      .catch((e: unknown) => e);
    expect(codeOf(error)).toBe(5);
    expect(() => emulator.setLatency(-1)).toThrow();
  });

  it('reset drops secrets, faults and calls', async () => {
    await client.createSecret({ parent: PARENT, secretId: 's1', secret: AUTOMATIC });
    emulator.failNext('GetSecret');
    emulator.reset();
    expect(emulator.secretNames()).toEqual([]);
    expect(emulator.calls()).toEqual([]);
    const error = await client.getSecret({ name: `${PARENT}/secrets/s1` }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe(5);
  });
});
