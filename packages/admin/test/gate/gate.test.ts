/**
 * gate (issue 8 §2, §3): against a healthy emulator every check passes; against emulators
 * broken on purpose (auth off, no rate limit, keys lost on restart, root key lost on restart)
 * exactly the check that covers the breakage fails.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EmulatorOptions, startEmulator } from '@stemedb/emulator';
import { generateApiKey } from '@stemedb/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { gate } from '../../src/commands/gate/gate.js';
import type { GateCheck } from '../../src/commands/gate/types.js';
import { tempDir } from '../support/server.js';
import { startRestartable } from './restartable.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function emulator(options: EmulatorOptions = {}) {
  const e = await startEmulator(options);
  cleanups.push(() => e.close());
  return e;
}

const failed = (checks: GateCheck[]) => checks.filter((c) => !c.ok).map((c) => c.check);
const names = (checks: GateCheck[]) => checks.map((c) => `${c.phase}/${c.check}`);

describe('gate', () => {
  it('passes every check of both phases against a healthy emulator', async () => {
    const e = await emulator();
    const seen: GateCheck[] = [];
    const result = await gate({
      url: e.url,
      adminKey: e.rootApiKey,
      phase: 'all',
      onCheck: (c) => seen.push(c),
    });
    expect(failed(result.checks)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(names(result.checks)).toEqual([
      'phase1/health',
      'phase1/unauthenticated-write',
      'phase1/authenticated-write',
      'phase3/provision',
      'phase3/concurrent-writes',
      'phase3/isolation',
      'phase3/rate-limit',
      'phase3/others-unaffected',
      'phase3/admin-routes-refused',
      'phase3/cleanup',
    ]);
    expect(seen).toEqual(result.checks);
    for (const c of result.checks)
      expect(Object.keys(c)).toEqual(['phase', 'check', 'ok', 'detail']);
  });

  it('leaves no gate key live after phase 3', async () => {
    const e = await emulator();
    await gate({ url: e.url, adminKey: e.rootApiKey, phase: 'phase3', projects: 3 });
    const res = await fetch(`${e.url}/v1/admin/api-keys`, {
      headers: { 'x-api-key': e.rootApiKey },
    });
    const { keys } = (await res.json()) as { keys: { label: string; revoked_at: unknown }[] };
    const live = keys.filter((k) => k.label.startsWith('project-gate-') && k.revoked_at === null);
    expect(keys.filter((k) => k.label.startsWith('project-gate-'))).toHaveLength(3);
    expect(live).toEqual([]);
  });

  it('fails unauthenticated-write, and only it, when auth is off', async () => {
    const e = await emulator({ auth: false });
    const result = await gate({ url: e.url, adminKey: e.rootApiKey, phase: 'phase1' });
    expect(failed(result.checks)).toEqual(['unauthenticated-write']);
    expect(result.ok).toBe(false);
    expect(result.checks[1]?.detail).toContain('auth is off');
  });

  it('fails admin-routes-refused in phase 3 when auth is off (every caller is admin)', async () => {
    const e = await emulator({ auth: false });
    const result = await gate({ url: e.url, adminKey: e.rootApiKey, phase: 'phase3', projects: 2 });
    expect(failed(result.checks)).toContain('admin-routes-refused');
  });

  it('fails rate-limit, and only it, when the server has no rate limit', async () => {
    const e = await emulator({ rateLimit: false });
    const result = await gate({
      url: e.url,
      adminKey: e.rootApiKey,
      phase: 'phase3',
      projects: 3,
      rateLimitRequests: 400,
    });
    expect(failed(result.checks)).toEqual(['rate-limit']);
    expect(result.checks.find((c) => c.check === 'rate-limit')?.detail).toBe(
      'no 429 after 400 requests with one key: per-key rate limits look off',
    );
  });

  it('fails health (and the writes) when the server answers 503', async () => {
    const e = await emulator();
    e.faults.outage({ ms: 60_000, mode: 503 });
    const result = await gate({ url: e.url, adminKey: e.rootApiKey, phase: 'phase1' });
    expect(failed(result.checks)).toEqual([
      'health',
      'unauthenticated-write',
      'authenticated-write',
    ]);
    expect(result.checks[0]?.detail).toBe('GET /v1/health: 503');
  });

  describe('with --restart-cmd', () => {
    it('passes when the server keeps its keys across the restart', async () => {
      const data = tempDir('gate-data');
      cleanups.push(data.remove);
      const rootApiKey = generateApiKey();
      const server = await startRestartable({ rootApiKey, dataDir: data.dir }, () => ({
        rootApiKey,
        dataDir: data.dir,
      }));
      cleanups.push(() => server.close());
      const result = await gate({
        url: server.url,
        adminKey: rootApiKey,
        phase: 'phase1',
        restartCmd: server.restartCmd,
      });
      expect(server.restarts).toBe(1);
      expect(failed(result.checks)).toEqual([]);
      expect(names(result.checks).slice(3)).toEqual([
        'phase1/restart',
        'phase1/root-key-after-restart',
        'phase1/key-after-restart',
      ]);
    });

    it('fails key-after-restart, and only it, when keys are lost on restart (no data dir)', async () => {
      const data = tempDir('gate-lost');
      cleanups.push(data.remove);
      const rootApiKey = generateApiKey();
      // The root key is seeded at boot, as STEMEDB_ROOT_API_KEY seeds it; nothing else survives.
      const server = await startRestartable({ rootApiKey, dataDir: data.dir }, () => ({
        rootApiKey,
      }));
      cleanups.push(() => server.close());
      const result = await gate({
        url: server.url,
        adminKey: rootApiKey,
        phase: 'phase1',
        restartCmd: server.restartCmd,
      });
      expect(failed(result.checks)).toEqual(['key-after-restart']);
      expect(result.checks.at(-1)?.detail).toContain('keys are not persisted');
    });

    it('fails root-key-after-restart when the root key is not seeded again', async () => {
      const server = await startRestartable({}, () => ({}));
      cleanups.push(() => server.close());
      const result = await gate({
        url: server.url,
        adminKey: server.rootKey,
        phase: 'phase1',
        restartCmd: server.restartCmd,
      });
      expect(failed(result.checks)).toEqual(['root-key-after-restart', 'key-after-restart']);
      expect(result.checks.find((c) => c.check === 'root-key-after-restart')?.detail).toContain(
        'is STEMEDB_ROOT_API_KEY seeded at boot',
      );
    });

    it('fails restart when the command fails, and names its last line', async () => {
      const e = await emulator();
      const result = await gate({
        url: e.url,
        adminKey: e.rootApiKey,
        phase: 'phase1',
        restartCmd: 'echo "rollout failed" >&2; exit 7',
      });
      expect(failed(result.checks)).toEqual(['restart']);
      expect(result.checks.at(-1)?.detail).toBe('the restart command exited 7: rollout failed');
    });
  });

  describe('the restart command environment', () => {
    it('holds no key: STEMEDB_ADMIN_KEY, STEMEDB_ROOT_API_KEY and key-valued variables are left out', async () => {
      const e = await emulator();
      const dir = tempDir('gate-env');
      cleanups.push(() => dir.remove());
      const out = join(dir.dir, 'env.txt');
      const names = ['STEMEDB_ADMIN_KEY', 'STEMEDB_ROOT_API_KEY', 'STEMEDB_API_KEY', 'MY_TOKEN'];
      const saved = names.map((n) => [n, process.env[n]] as const);
      cleanups.push(() => {
        for (const [n, v] of saved) {
          if (v === undefined) delete process.env[n];
          else process.env[n] = v;
        }
      });
      for (const n of names) process.env[n] = e.rootApiKey;
      process.env.STEMEDB_GATE_MARKER = 'kept';
      cleanups.push(() => {
        delete process.env.STEMEDB_GATE_MARKER;
      });
      await gate({
        url: e.url,
        adminKey: e.rootApiKey,
        phase: 'phase1',
        restartCmd: `env > ${JSON.stringify(out)}; exit 7`,
      });
      const env = readFileSync(out, 'utf8');
      expect(env).toContain('STEMEDB_GATE_MARKER=kept');
      for (const n of names) expect(env).not.toContain(`${n}=`);
      expect(env).not.toContain('steme_live_');
    });
  });

  describe('with restart (in-process, library only)', () => {
    it('passes when the restarted server kept its keys, fails key-after-restart when it lost them', async () => {
      const rootApiKey = generateApiKey();
      const kept = tempDir('gate-inproc');
      cleanups.push(kept.remove);
      let current = await startEmulator({ rootApiKey, dataDir: kept.dir });
      const port = current.port;
      cleanups.push(() => current.close());
      const restartWith = (options: EmulatorOptions) => async () => {
        await current.close();
        current = await startEmulator({ ...options, rootApiKey, port });
      };

      const healthy = await gate({
        url: current.url,
        adminKey: rootApiKey,
        phase: 'phase1',
        restart: restartWith({ dataDir: kept.dir }),
      });
      expect(failed(healthy.checks)).toEqual([]);
      expect(names(healthy.checks)).toContain('phase1/key-after-restart');

      const lost = await gate({
        url: current.url,
        adminKey: rootApiKey,
        phase: 'phase1',
        restart: restartWith({}), // a fresh, empty server: the disaster
      });
      expect(failed(lost.checks)).toEqual(['key-after-restart']);
    });

    it('fails restart, naming why, when the function rejects', async () => {
      const e = await emulator();
      const result = await gate({
        url: e.url,
        adminKey: e.rootApiKey,
        phase: 'phase1',
        restart: () => Promise.reject(new Error('no capacity')),
      });
      expect(failed(result.checks)).toEqual(['restart']);
      expect(result.checks.at(-1)?.detail).toBe('the restart failed: no capacity');
    });

    it('refuses restart and restartCmd together', async () => {
      const e = await emulator();
      await expect(
        gate({
          url: e.url,
          adminKey: e.rootApiKey,
          phase: 'phase1',
          restart: async () => undefined,
          restartCmd: 'true',
        }),
      ).rejects.toMatchObject({ code: 'invalid_options' });
    });
  });

  it('never puts a key in a check', async () => {
    const e = await emulator({ auth: false });
    const result = await gate({
      url: e.url,
      adminKey: e.rootApiKey,
      phase: 'all',
      projects: 2,
      rateLimitRequests: 300,
      restartCmd: `echo ${e.rootApiKey}; exit 1`,
    });
    expect(JSON.stringify(result)).not.toMatch(/steme_live_[0-9a-f]{48}/);
  });
});
