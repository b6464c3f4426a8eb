/**
 * One StemeClient construction (issue 21, "The house"): every request the package makes names
 * it in its User-Agent (client.ts), the reads of `diffScans` and `readScanHistory` included, so
 * that a server's logs tell this client's traffic from a script's. The emulator does not record
 * the header, so a pass-through proxy in front of it does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffScans, persistScan, readScanHistory } from '../../src/index.js';
import { CLIENT_NAME } from '../../src/version.js';
import { configFor, configVia, makeScan, tempDir, useEmulator } from '../support/persist.js';
import { type FaultProxy, startProxy } from '../support/proxy.js';

const emu = useEmulator();
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startProxy(emu().url);
});
afterAll(async () => {
  await proxy.close();
});

describe("the package's User-Agent", () => {
  it('is on every read of diffScans and readScanHistory', async () => {
    const base = makeScan(3, 'ua-base');
    const head = { ...makeScan(3, 'ua-head'), branch: base.branch.replace('base', 'head') };
    const direct = configFor(emu(), await tempDir());
    await persistScan(base, { config: direct, onWarning: () => {} });
    await persistScan(head, { config: direct, onWarning: () => {} });

    const config = configVia(proxy.url, emu(), await tempDir());
    proxy.seen.length = 0;
    const diff = await diffScans({
      config,
      project: base.project,
      branch: head.branch,
      base: base.branch,
    });
    expect([diff.new.length, diff.fixed.length]).toEqual([3, 3]);
    for await (const _ of readScanHistory({ config, project: base.project })) {
      // Read every page: each is a request.
    }
    const agents = proxy.seen.map((r) => `${r.method} ${r.path} ${r.headers['user-agent']}`);
    expect(agents.length).toBeGreaterThan(0);
    expect(agents.filter((a) => !a.includes(CLIENT_NAME))).toEqual([]);
  });
});
