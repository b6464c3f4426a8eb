/**
 * Progress in a log (issue 22, "an operator at 10,000 projects"): with stderr not a terminal,
 * provision and rotate print one line every interval (done/total, failed, elapsed), never a
 * key; on a terminal nothing beyond the bar. The run functions get an Io with a short interval
 * and a stderr that collects, over an emulator slowed by its latency fault.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { formatElapsed } from '../../src/cli/progress-lines.js';
import { runRotate } from '../../src/cli/run-keys.js';
import { runProvision } from '../../src/cli/run-provision.js';
import { startServer, type TestServer, tempDir } from '../support/server.js';
import { keysIn } from './support/cli.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());
const tmp = tempDir('progress-lines');
afterAll(() => tmp.remove());

function io(isTTY: boolean) {
  const out = { stdout: '', stderr: '' };
  const value: Io = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { isTTY, write: (t: string) => (out.stderr += t) },
    stdin: (async function* () {})(),
    env: { STEMEDB_ADMIN_KEY: server.rootKey, NO_COLOR: '1' },
    cwd: tmp.dir,
    debug: false,
    progressIntervalMs: 100,
  };
  return { io: value, out };
}

// Before the plan is made the total is not known yet: `0 projects done`.
const LINE = /^(provision|rotate): (\d+)(?:\/(\d+))? projects done, (\d+) failed, (\d+)s elapsed$/;

describe('progress lines', () => {
  it('prints done/total, failed and elapsed every interval when stderr is not a terminal', async () => {
    const projects = Array.from({ length: 24 }, (_, i) => `p${i}`);
    const file = join(tmp.dir, 'projects.txt');
    writeFileSync(file, `${projects.join('\n')}\n`);
    const store = `file:${join(tmp.dir, 'lines.json')}`;
    server.emulator.faults.latency(40);
    const first = io(false);
    await runProvision(file, { store, url: server.url, concurrency: '2' }, first.io);
    const lines = first.out.stderr.trim().split('\n');
    const matched = lines.map((l) => LINE.exec(l)).filter((m) => m !== null);
    // 24 projects, two at a time, each a few 40 ms calls: well over a second of 100 ms ticks.
    expect(matched.filter((m) => m[3] !== undefined).length).toBeGreaterThanOrEqual(3);
    expect(matched.length).toBe(lines.length);
    for (const m of matched) {
      expect(m[1]).toBe('provision');
      expect(m[3] ?? '24').toBe('24');
      expect(m[4]).toBe('0');
    }
    const done = matched.map((m) => Number(m[2]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBeLessThanOrEqual(24);
    expect(keysIn(first.out.stdout + first.out.stderr)).toEqual([]);

    const again = io(false);
    await runRotate(undefined, { store, url: server.url, all: true, concurrency: '2' }, again.io);
    expect(again.out.stderr).toMatch(/^rotate: \d+\/24 projects done, 0 failed, \d+s elapsed$/m);
    expect(keysIn(again.out.stdout + again.out.stderr)).toEqual([]);
  }, 60_000);

  it('prints nothing extra on a terminal that asks for plain output', async () => {
    const file = join(tmp.dir, 'few.txt');
    writeFileSync(file, 'a1\na2\na3\n');
    server.emulator.faults.latency(40);
    const tty = io(true);
    await runProvision(
      file,
      { store: `file:${join(tmp.dir, 'tty.json')}`, url: server.url, concurrency: '1' },
      tty.io,
    );
    expect(tty.out.stderr).toBe('');
  }, 30_000);

  it.each([
    { given: 9_999, want: '9s' },
    { given: 65_000, want: '1m05s' },
    { given: 3_725_000, want: '1h02m05s' },
  ])('formats $given ms as $want', ({ given, want }) => {
    expect(formatElapsed(given)).toBe(want);
  });
});
