/**
 * A CI runner cancelling a job sends SIGTERM (GitHub Actions, `docker stop`, Kubernetes): the
 * built CLI, spawned mid-persist against the emulator, stops sending, leaves the rest in the
 * spool and exits 143 (128 + 15, as a shell reports it), SIGINT staying 130 (test/cli/cli.test.ts).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeScan, readBack, useEmulator } from '../support/persist.js';
import { BIN, cleanEnv, cli, ensureBuilt, hasStack, project } from './harness.js';

// The CLI runs from dist/: built (if stale) before the emulator starts.
beforeAll(() => {
  ensureBuilt();
}, 180_000);
// Started once, its faults and temp dirs cleared after each test.
const emu = useEmulator();

describe('aphoria-hosted and SIGTERM', () => {
  it('stops on SIGTERM mid-persist with exit 143, the rest spooled for flush to send exactly once', async () => {
    const scan = makeScan(40, 'cli-sigterm');
    const root = await project(`url = "${emu().url}"`);
    await writeFile(join(root, 'scan.json'), JSON.stringify(scan));
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey, NO_COLOR: '1' });
    emu().faults.latency(100);
    const before = emu().requests().length;
    const child = spawn(process.execPath, [BIN, 'persist', 'scan.json', '--concurrency', '1'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Once a few writes are through: mid-persist, whatever the machine's speed.
    while (
      emu()
        .requests()
        .slice(before)
        .filter((r) => r.path === '/v1/assert').length < 3
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toMatch(/^aphoria-hosted: warning: SIGTERM: stopping/m);
    expect(stderr).toMatch(/^aphoria-hosted: error: interrupted by SIGTERM$/m);
    expect(hasStack(stderr)).toBe(false);
    emu().faults.clear();

    const status = JSON.parse((await cli(['status', '--json'], root, env)).stdout);
    expect(status.spool.records).toBeGreaterThan(0);
    const flushed = await cli(['flush', '--json'], root, env);
    expect(flushed.code).toBe(0);
    expect(JSON.parse(flushed.stdout)).toMatchObject({ completed: 1, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 41,
      missing: [],
      doubled: [],
      extra: [],
    });
  }, 60_000);
});
