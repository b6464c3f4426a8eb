// Issue 7 §5: the emulator's --data-dir cost per write must not grow with what it holds.
// Starts a persistent emulator on a directory already holding 1,000 and then 100,000
// assertions, posts the same number of new ones at a fixed concurrency through one undici Pool,
// and prints writes per second and per-write latency for each. Not a test (no pass/fail):
//
//   pnpm --filter @stemedb/emulator build && npx tsx bench/emulator-persistence.ts
//   npx tsx bench/emulator-persistence.ts --writes 2000 --concurrency 16 --sizes 1000,100000

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmulator } from '@stemedb/emulator';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    sizes: { type: 'string', default: '1000,100000' },
  },
});
const WRITES = Number(values.writes);
const CONCURRENCY = Number(values.concurrency);
const SIZES = values.sizes.split(',').map(Number);
const ROOT_KEY = `steme_live_${'ab'.repeat(24)}`;

/** A data directory as a compaction leaves it: `assertions.json` with `count` assertions. */
async function prefilled(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stemedb-bench-persist-'));
  const at = new Date(0).toISOString();
  const items = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      seq: i + 1,
      id: `ast_${(i + 1).toString(36).padStart(8, '0')}00000000`,
      subject: `finding/${i}`,
      predicate: 'aphoria.finding',
      value: { rule: 'secrets/hardcoded-key', severity: 'high', file: 'src/config.ts', line: i },
      agent_id: 'aphoria',
      accepted_at: at,
    }),
  );
  await writeFile(join(dir, 'assertions.json'), `{"version":1,"lsn":0,"assertions":[${items}]}`);
  return dir;
}

async function measure(stored: number) {
  const dataDir = await prefilled(stored);
  const bootStarted = performance.now();
  const emu = await startEmulator({ dataDir, rootApiKey: ROOT_KEY, rateLimit: false });
  const bootMs = performance.now() - bootStarted;
  const pool = new Pool(emu.url, { connections: CONCURRENCY });
  const latency = createHistogram();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < WRITES) {
        const n = next++;
        const sent = process.hrtime.bigint();
        const res = await pool.request({
          path: '/v1/assert',
          method: 'POST',
          headers: { 'x-api-key': ROOT_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({
            subject: `new/${n}`,
            predicate: 'aphoria.finding',
            value: { rule: 'secrets/hardcoded-key', severity: 'high', line: n },
            agent_id: 'aphoria',
          }),
        });
        await res.body.text();
        if (res.statusCode !== 201) throw new Error(`write ${n}: status ${res.statusCode}`);
        latency.record(Number(process.hrtime.bigint() - sent) || 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  const closeStarted = performance.now();
  await emu.close();
  const closeMs = performance.now() - closeStarted;
  await rm(dataDir, { recursive: true, force: true });
  const ms = (ns: number) => (ns / 1e6).toFixed(2);
  return {
    stored,
    perSecond: Math.round(WRITES / seconds),
    p50: ms(latency.percentile(50)),
    p99: ms(latency.percentile(99)),
    max: ms(latency.max),
    bootMs: Math.round(bootMs),
    closeMs: Math.round(closeMs),
  };
}

const load = loadavg()[0]!.toFixed(2);
process.stderr.write(`${WRITES} writes at concurrency ${CONCURRENCY} per size\n`);
const rows = [];
for (const size of SIZES) rows.push(await measure(size));
console.log(
  `Node ${process.version}, ${availableParallelism()} cores, load ${load} → ${loadavg()[0]!.toFixed(2)}; ${WRITES} writes at concurrency ${CONCURRENCY}, data dir under ${tmpdir()}\n`,
);
console.log('| already stored | writes/s | p50 ms | p99 ms | max ms | boot ms | close ms |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.stored.toLocaleString('en')} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.max} | ${r.bootMs} | ${r.closeMs} |`,
  );
}
