// Rendering the figures: markdown tables for stdout (and bench/README.md), JSON for
// bench/results/ (gitignored).

import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Row } from './stats.js';

function num(value: number | null, digits: number): string {
  return value === null ? '–' : value.toFixed(digits);
}

function ratio(value: number | null): string {
  return value === null ? '' : ` (${value.toFixed(2)}×)`;
}

function mib(kb: number | null): number | null {
  return kb === null ? null : kb / 1024;
}

/** One table per target; ratios in brackets are to raw undici (paired per round, median). */
export function loadTable(rows: readonly Row[]): string {
  const out: string[] = [];
  for (const target of [...new Set(rows.map((r) => r.target))]) {
    out.push(`#### ${target === 'minimal' ? 'Minimal node:http server' : 'Emulator'}`, '');
    out.push(
      '| c | client | req/s (× undici) | p50 ms (×) | p99 ms (×) | CPU µs/req (×) | peak RSS MiB (×) | rounds |',
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const row of rows.filter((r) => r.target === target)) {
      const { median: m, ratio: x } = row;
      out.push(
        `| ${row.concurrency} | ${row.client} | ${num(m.rps, 0)}${ratio(x.rps)} | ` +
          `${num(m.p50Ms, 3)}${ratio(x.p50Ms)} | ${num(m.p99Ms, 3)}${ratio(x.p99Ms)} | ` +
          `${num(m.cpuUsPerRequest, 0)}${ratio(x.cpuUsPerRequest)} | ` +
          `${num(mib(m.maxRssKb), 1)}${ratio(x.maxRssKb)} | ${row.rounds} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * The retry path at concurrency 1: a call that succeeds on its second attempt, by the SDK (its
 * own schedule, sleep injected as zero) and by hand over raw undici; the difference in p50 is
 * what the SDK's retry machinery adds to two round trips.
 */
export function retryTable(rows: readonly Row[], single: Row | undefined): string {
  const out = [
    '| client | req/s | p50 ms | p99 ms | CPU µs/call | rounds |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const m = row.median;
    out.push(
      `| ${row.client} | ${num(m.rps, 0)} | ${num(m.p50Ms, 3)} | ${num(m.p99Ms, 3)} | ` +
        `${num(m.cpuUsPerRequest, 0)} | ${row.rounds} |`,
    );
  }
  const sdk = rows.find((r) => r.client === 'sdk-retry')?.median.p50Ms ?? null;
  const raw = rows.find((r) => r.client === 'undici-retry')?.median.p50Ms ?? null;
  out.push('');
  if (sdk !== null && raw !== null) {
    const extra = (sdk - raw) * 1000;
    out.push(`SDK retry overhead over two raw round trips: ${extra.toFixed(0)} µs at p50.`);
  }
  const once = single?.median.p50Ms ?? null;
  if (sdk !== null && once !== null) {
    out.push(
      `A retried SDK call takes ${(sdk / once).toFixed(2)}× a single-attempt SDK call ` +
        `(${once.toFixed(3)} ms at p50, c=1, minimal server).`,
    );
  }
  out.push('');
  return out.join('\n');
}

export interface TimingRow {
  readonly name: string;
  readonly command: string;
  /** Median wall time in ms, or null when the thing does not exist yet. */
  readonly medianMs: number | null;
  readonly note?: string;
}

export function timingTable(title: string, rows: readonly TimingRow[]): string {
  const out = [
    `#### ${title}`,
    '',
    '| what | command | median ms | note |',
    '| --- | --- | ---: | --- |',
  ];
  for (const row of rows) {
    const value = row.medianMs === null ? 'not yet' : row.medianMs.toFixed(1);
    out.push(`| ${row.name} | \`${row.command}\` | ${value} | ${row.note ?? ''} |`);
  }
  out.push('');
  return out.join('\n');
}

/** Writes `data` to bench/results/<stamp>.json and returns the path. */
export async function writeJson(data: unknown): Promise<string> {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = `${dir}${stamp}.json`;
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
