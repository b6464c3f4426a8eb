import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call } from './support/http.js';

/** /metrics: the two series the roadmap's alert rules read, per emulator instance. */

const running: Emulator[] = [];
const start = async (opts: Parameters<typeof startEmulator>[0] = {}) => {
  const emu = await startEmulator(opts);
  running.push(emu);
  return emu;
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

async function scrape(emu: Emulator): Promise<string> {
  const res = await call(emu.url, '/metrics');
  expect(res.status).toBe(200);
  return res.text;
}

/** The value of one sample line, e.g. `stemedb_http_requests_total{method="GET",…}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const requests = (method: string, route: string, status: number) =>
  `stemedb_http_requests_total{method="${method}",route="${route}",status="${status}"}`;

describe('/metrics', () => {
  it('serves the Prometheus text format 0.0.4', async () => {
    const emu = await start();
    const res = await call(emu.url, '/metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toContain('# TYPE stemedb_http_requests_total counter');
    expect(res.text).toContain('# TYPE stemedb_wal_fsync_latency_seconds histogram');
  });

  it('counts requests by method, route template and status', async () => {
    const emu = await start();
    const hash = 'c'.repeat(64);
    await call(emu.url, '/v1/health');
    await call(emu.url, '/v1/health');
    await call(emu.url, `/v1/admin/api-keys/${hash}/rotate`, {
      method: 'POST',
      key: emu.rootApiKey,
    });
    await call(emu.url, '/v1/assertions');
    await call(emu.url, '/v1/health', { method: 'DELETE' });
    await call(emu.url, '/no/such/path');
    const text = await scrape(emu);
    const rows: [string, number][] = [
      [requests('GET', '/v1/health', 200), 2],
      [requests('POST', '/v1/admin/api-keys/{hash}/rotate', 404), 1],
      [requests('GET', '/v1/assertions', 401), 1],
      [requests('DELETE', '/v1/health', 405), 1],
      [requests('GET', 'unmatched', 404), 1],
    ];
    for (const [series, want] of rows) expect(sample(text, series), series).toBe(want);
    expect(text).not.toContain(hash);
  });

  it('does not count answers injected by faults, which StemeDB never sees', async () => {
    const emu = await start();
    emu.faults.failNext(3, 503);
    for (let i = 0; i < 3; i++) await call(emu.url, '/v1/health');
    expect(await scrape(emu)).not.toContain('status="503"');
  });

  it('keeps separate counts per emulator', async () => {
    const a = await start();
    const b = await start();
    await call(a.url, '/v1/health');
    expect(sample(await scrape(a), requests('GET', '/v1/health', 200))).toBe(1);
    expect(sample(await scrape(b), requests('GET', '/v1/health', 200))).toBeUndefined();
  });

  it('has the fsync histogram with no observations without a data directory', async () => {
    const emu = await start();
    await call(emu.url, '/v1/assert', {
      method: 'POST',
      key: emu.rootApiKey,
      body: { subject: 's', predicate: 'p', value: 1, agent_id: 'a' },
    });
    expect(sample(await scrape(emu), 'stemedb_wal_fsync_latency_seconds_count')).toBe(0);
  });

  it('observes each data-directory write in the fsync histogram', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'stemedb-metrics-'));
    try {
      const emu = await start({ dataDir });
      const boot = sample(await scrape(emu), 'stemedb_wal_fsync_latency_seconds_count')!;
      expect(boot).toBe(1); // the root key seeded into keys.json
      await call(emu.url, '/v1/assert', {
        method: 'POST',
        key: emu.rootApiKey,
        body: { subject: 's', predicate: 'p', value: 1, agent_id: 'a' },
      });
      const text = await scrape(emu);
      expect(sample(text, 'stemedb_wal_fsync_latency_seconds_count')).toBe(2);
      expect(sample(text, 'stemedb_wal_fsync_latency_seconds_sum')).toBeGreaterThan(0);
    } finally {
      await Promise.all(running.splice(0).map((emu) => emu.close()));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
