/**
 * Issue 24: `stemedb-admin gate phase2` as a user runs it, with shell commands that kill the
 * emulator's CLI process for real and start it again, against Debian's prometheus. Ctrl-C
 * (SIGINT) while the gate waits for the alert still starts StemeDB again, and the run exits 130.
 * Skips outside CI only, when the binaries are missing (see phase2.test.ts).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startCli } from '../cli/support/cli.js';
import {
  freePort,
  missingBinaries,
  type Proc,
  startPrometheus,
  testRuleGroups,
  waitReady,
  waitScraped,
} from './monitoring.js';

const missing = missingBinaries();
const skip = missing.length > 0 && !process.env.CI;
const EMULATOR_BIN = fileURLToPath(
  new URL('../../../emulator/bin/stemedb-emulator.js', import.meta.url),
);
if (skip) console.warn(`[phase2-cli.test] skipped: not on PATH: ${missing.join(', ')}`);
const ADMIN_KEY = `steme_live_${'0'.repeat(48)}`;

describe.skipIf(skip)('stemedb-admin gate phase2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stemedb-phase2-cli-'));
  const pidFile = join(dir, 'emulator.pid');
  let port: number;
  let url: string;
  let prometheus: Proc;
  let stopCmd: string;
  let startCmd: string;
  const remote = join(dir, 'remote');

  const healthy = () =>
    fetch(`${url}/v1/health`).then(
      (r) => r.ok,
      () => false,
    );

  beforeAll(async () => {
    if (missing.length > 0)
      throw new Error(`not on PATH: ${missing.join(', ')} (CI must not skip)`);
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The process is detached from the command's pipes, so the command returns once it is started.
    startCmd = `"${process.execPath}" "${EMULATOR_BIN}" --port ${port} >/dev/null 2>&1 </dev/null & echo $! > "${pidFile}"`;
    stopCmd = `kill -9 "$(cat "${pidFile}")"`;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    mkdirSync(join(remote, 'db', stamp), { recursive: true });
    writeFileSync(join(remote, 'db', stamp, 'stemedb.db'), 'a copy');
    const [p] = await Promise.all([
      startPrometheus({ target: `127.0.0.1:${port}`, groups: testRuleGroups() }),
      ensureBuilt(),
    ]);
    prometheus = p;
    execSync(startCmd, { shell: '/bin/sh' });
    await waitReady(`${url}/v1/health`);
    await waitScraped(prometheus.url, 1);
  }, 180_000);

  afterAll(async () => {
    execSync(`${stopCmd} 2>/dev/null || true`, { shell: '/bin/sh' });
    await prometheus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = () => [
    'gate',
    'phase2',
    '--url',
    url,
    '--prometheus-url',
    prometheus.url,
    '--stop-cmd',
    stopCmd,
    '--start-cmd',
    startCmd,
    '--backup-remote',
    remote,
  ];

  it('passes with --json: the four checks of phase2, StemeDB killed and serving again', async () => {
    const result = await runCli([...args(), '--json'], { env: { STEMEDB_ADMIN_KEY: ADMIN_KEY } });
    expect(result.code, result.stderr).toBe(0);
    const checks = JSON.parse(result.stdout) as { phase: string; check: string; ok: boolean }[];
    expect(checks.map((c) => [c.phase, c.check, c.ok])).toEqual([
      ['phase2', 'prometheus-target', true],
      ['phase2', 'alert-rules', true],
      ['phase2', 'kill-test', true],
      ['phase2', 'backup-fresh', true],
    ]);
    expect(await healthy()).toBe(true);
  }, 60_000);

  it('Ctrl-C while waiting for the alert: StemeDB is started again, the table printed, exit 130', async () => {
    const run = startCli(args(), { env: { STEMEDB_ADMIN_KEY: ADMIN_KEY } });
    // The stop has run once StemeDB stops answering.
    const deadline = Date.now() + 20_000;
    while ((await healthy()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await healthy()).toBe(false);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout).toMatch(/kill-test +FAIL +interrupted/);
    await waitReady(`${url}/v1/health`, 10_000);
  }, 60_000);

  it('a usage error for --stop-cmd without --start-cmd (it would leave StemeDB down)', async () => {
    const result = await runCli(
      ['gate', 'phase2', '--url', url, '--prometheus-url', prometheus.url, '--stop-cmd', stopCmd],
      { env: { STEMEDB_ADMIN_KEY: ADMIN_KEY } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--stop-cmd and --start-cmd go together/);
    expect(await healthy()).toBe(true);
  });
});
