/**
 * diff and apply refuse a change that would move the server to other claims (a new layout or
 * claim name on a live deployment points it at new, empty volumes), unless
 * --allow-volume-change; checked against the fake API server holding the live Deployment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG, file, run } from './support/cli.js';
import { type FakeApiServer, startFakeApi } from './support/fake-api.js';

let server: FakeApiServer;
let kubeconfig: string;
beforeAll(async () => {
  server = await startFakeApi();
  kubeconfig = server.writeKubeconfig(file('kubeconfig-volumes', ''));
});
afterAll(() => server.close());

const cluster = (args: string[]) => run(args, { KUBECONFIG: kubeconfig });
const SINGLE = ['--set', 'storage.volumes.layout=single'];

describe('a change of the server claims', () => {
  it('is refused by apply before anything is sent (exit 1), naming both sets of claims', async () => {
    server.reset();
    expect((await cluster(['apply', CONFIG])).code).toBe(0);
    server.current().requests.length = 0;
    const result = await cluster(['apply', CONFIG, ...SINGLE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Deployment\/stemedb\/stemedb-api: would move the server from claims stemedb-db, stemedb-wal to stemedb-data/,
    );
    expect(result.stderr).toMatch(/--allow-volume-change/);
    expect(server.current().patches()).toEqual([]);
  });

  it('is refused by diff too', async () => {
    server.reset();
    await cluster(['apply', CONFIG]);
    const result = await cluster(['diff', CONFIG, ...SINGLE, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('cluster/volume-change');
  });

  it('goes ahead with --allow-volume-change', async () => {
    server.reset();
    await cluster(['apply', CONFIG]);
    const result = await cluster(['apply', CONFIG, ...SINGLE, '--allow-volume-change']);
    expect(result.code, result.stderr).toBe(0);
  });

  it('lets any other change of the Deployment through (a near miss)', async () => {
    server.reset();
    await cluster(['apply', CONFIG]);
    const result = await cluster(['apply', CONFIG, '--set', 'image.tag=0.9.1']);
    expect(result.code, result.stderr).toBe(0);
  });

  it('does not apply to a first install (no live Deployment)', async () => {
    server.reset();
    const result = await cluster(['apply', CONFIG, ...SINGLE]);
    expect(result.code, result.stderr).toBe(0);
  });
});
