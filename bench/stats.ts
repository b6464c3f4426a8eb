// Turning interleaved samples into one row per (target, concurrency, client): the median of each
// figure over the rounds, and its ratio to the baseline client as the median of the per-round
// ratios (each round's pair ran back to back, so pairing cancels drift across the run).

import type { LoadResult, TargetName } from './protocol.js';

export interface Sample extends LoadResult {
  readonly round: number;
}

export type Metric = 'rps' | 'p50Ms' | 'p99Ms' | 'cpuUsPerRequest' | 'maxRssKb';
export const METRICS: readonly Metric[] = ['rps', 'p50Ms', 'p99Ms', 'cpuUsPerRequest', 'maxRssKb'];

export interface Row {
  readonly target: TargetName;
  readonly concurrency: number;
  readonly client: string;
  readonly rounds: number;
  /** Medians over the rounds; null where the client has no such figure. */
  readonly median: Readonly<Record<Metric, number | null>>;
  /** Median of per-round client/baseline ratios; null without a baseline or a figure. */
  readonly ratio: Readonly<Record<Metric, number | null>>;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function figures(samples: readonly Sample[], metric: Metric): number[] {
  return samples.map((s) => s[metric]).filter((v): v is number => v !== null);
}

function pairedRatios(samples: readonly Sample[], baseline: readonly Sample[], metric: Metric) {
  const ratios: number[] = [];
  for (const sample of samples) {
    const base = baseline.find((b) => b.round === sample.round);
    const value = sample[metric];
    const baseValue = base?.[metric];
    if (value !== null && baseValue != null && baseValue > 0) ratios.push(value / baseValue);
  }
  return ratios;
}

/** One row per (target, concurrency, client), in the order the clients are listed. */
export function summarise(
  samples: readonly Sample[],
  clients: readonly string[],
  baseline: string,
): Row[] {
  const rows: Row[] = [];
  const targets = [...new Set(samples.map((s) => s.target))];
  const levels = [...new Set(samples.map((s) => s.concurrency))].sort((a, b) => a - b);
  for (const target of targets) {
    for (const concurrency of levels) {
      const cell = samples.filter((s) => s.target === target && s.concurrency === concurrency);
      const base = cell.filter((s) => s.client === baseline);
      for (const client of clients) {
        const own = cell.filter((s) => s.client === client);
        if (own.length === 0) continue;
        const med = {} as Record<Metric, number | null>;
        const ratio = {} as Record<Metric, number | null>;
        for (const metric of METRICS) {
          med[metric] = median(figures(own, metric));
          ratio[metric] = base.length > 0 ? median(pairedRatios(own, base, metric)) : null;
        }
        rows.push({ target, concurrency, client, rounds: own.length, median: med, ratio });
      }
    }
  }
  return rows;
}

/** Fails a row of the SDK against the targets; returns what it misses, if anything. */
export function checkTargets(rows: readonly Row[], sdkClients: readonly string[]): string[] {
  const misses: string[] = [];
  for (const row of rows) {
    if (!sdkClients.includes(row.client)) continue;
    const where = `${row.client} c=${row.concurrency} on ${row.target}`;
    const ratio = row.ratio.rps;
    if (ratio !== null && ratio < 0.9)
      misses.push(`${where}: ${ratio.toFixed(2)}× undici (< 0.90)`);
    for (const rival of ['fetch', 'axios']) {
      const other = rows.find(
        (r) => r.client === rival && r.target === row.target && r.concurrency === row.concurrency,
      );
      const mine = row.median.rps;
      const theirs = other?.median.rps;
      if (mine != null && theirs != null && mine <= theirs) {
        misses.push(
          `${where}: ${mine.toFixed(0)} req/s, not ahead of ${rival} (${theirs.toFixed(0)})`,
        );
      }
    }
  }
  return misses;
}
