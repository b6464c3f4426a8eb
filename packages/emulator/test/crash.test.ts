import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { newKey, postAssertion, removeTempDirs, subjects, tempDir } from './support/data-dir.js';

/**
 * Issue 7 §5: kill -9 the emulator while 16 clients write (and compactions run), again and
 * again on one directory; every acknowledged write must survive, none twice.
 */

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
afterEach(removeTempDirs);

async function runUntilKilled(dataDir: string, rootApiKey: string, round: number, acks: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/emulator-child.ts', dataDir],
    { cwd: PACKAGE_DIR, env: { ...process.env, STEMEDB_ROOT_API_KEY: rootApiKey } },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code} before listening`)));
  });
  const acknowledged: string[] = [];
  let next = 0;
  let killed = false;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (!killed) {
        const subject = `r${round}-${next++}`;
        const result = await postAssertion(url, rootApiKey, subject).catch(() => undefined);
        if (result?.status === 201) acknowledged.push(subject);
        if (acknowledged.length >= acks && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    }),
  );
  await exited;
  return acknowledged;
}

describe('kill -9 mid-write', () => {
  it('loses no acknowledged write and doubles none, across repeated kills', async () => {
    const dataDir = await tempDir();
    const rootApiKey = newKey();
    const acknowledged: string[] = [];
    for (const [round, acks] of [150, 400, 90].entries()) {
      acknowledged.push(...(await runUntilKilled(dataDir, rootApiKey, round, acks)));
    }
    const emu = await startEmulator({ dataDir, rootApiKey, rateLimit: false });
    try {
      const stored = await subjects(emu.url, rootApiKey);
      expect(new Set(stored).size).toBe(stored.length);
      expect(stored).toEqual(expect.arrayContaining(acknowledged));
      expect(acknowledged.length).toBeGreaterThanOrEqual(640);
    } finally {
      await emu.close();
    }
  }, 120_000);
});
