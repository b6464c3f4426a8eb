import { Agent, get } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';

/**
 * requests() must not keep a long request target alive through the short path it records. V8
 * stores `url.slice(...)` as a pointer into `url`, so the 30-character path of a 14 KB target
 * held all 14 KB. No API tells whether a string is a slice (the `%` natives need a flag this
 * process cannot have), so the test measures what matters: the heap retained by the log after a
 * full collection, with bounds generous enough for noise (the difference it guards is ~4x).
 */

// A full collection on demand, without starting the process with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const REQUESTS = 2_000;
const QUERY_BYTES = 14 * 1024; // under Node's 16 KiB header limit, which counts the target

let emu: Emulator;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
});
afterAll(async () => {
  agent.destroy();
  await emu.close();
});

function send(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('requests() log memory', () => {
  it(`${REQUESTS} requests with ${QUERY_BYTES / 1024} KiB targets retain well under their size`, async () => {
    const before = heapUsed();
    for (let i = 0; i < REQUESTS; i += 16) {
      await Promise.all(
        Array.from({ length: 16 }, async (_, j) => {
          // A distinct target each time, so no two requests share a string.
          const query = `subject=${String(i + j).padStart(8, '0')}${'x'.repeat(QUERY_BYTES)}`;
          await send(`${emu.url}/v1/assertions?${query}`);
        }),
      );
    }
    expect(emu.requests()).toHaveLength(REQUESTS);
    const retained = heapUsed() - before;
    const targets = REQUESTS * QUERY_BYTES; // ~28 MiB: what the log held with sliced paths
    expect(retained).toBeLessThan(targets / 4);
    expect(emu.requests().at(-1)?.path).toBe('/v1/assertions');
  });
});
