// `pnpm bench` flags. Defaults are the full run recorded in bench/README.md; `--quick` is a
// smoke run of the whole harness in about a minute.

import { parseArgs } from 'node:util';
import { BASELINE, CLIENTS, LOAD_CLIENTS } from './clients/index.js';
import type { TargetName } from './protocol.js';

export const USAGE = `Usage: tsx bench/run.ts [options]

  --quick                 2 rounds of 250 ms windows, 3 startup runs (a smoke run, ~1 min)
  --rounds N              interleaved rounds; figures are medians over them (default 5)
  --duration MS           measured window per client and concurrency (default 2000)
  --warmup MS             unrecorded warm-up before each window (default 2000)
  --only a,b              load clients to run (${LOAD_CLIENTS.join(', ')}); ${BASELINE} is always added
  --targets a,b           minimal, emulator (default both)
  --concurrency 1,16,64   requests in flight (default 1,16,64)
  --startup-runs N        fresh processes per startup figure (default 10)
  --skip load,retry,startup   parts to leave out
  --profile               run each load worker under --cpu-prof (profiles in bench/results/profiles)
  -h, --help              this text
`;

export interface Options {
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly clients: readonly string[];
  readonly targets: readonly TargetName[];
  readonly concurrency: readonly number[];
  readonly startupRuns: number;
  readonly skip: ReadonlySet<'load' | 'retry' | 'startup'>;
  readonly profile: boolean;
  readonly quick: boolean;
}

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} wants a positive integer, not ${value}`);
  return n;
}

function oneOf<T extends string>(name: string, values: string[], allowed: readonly T[]): T[] {
  for (const value of values) {
    if (!allowed.includes(value as T)) {
      throw new Error(`--${name}: unknown ${value} (one of ${allowed.join(', ')})`);
    }
  }
  return values as T[];
}

/** Parses argv; returns null when --help was asked for. Throws on a bad flag. */
export function parseOptions(argv: readonly string[]): Options | null {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      targets: { type: 'string' },
      concurrency: { type: 'string' },
      'startup-runs': { type: 'string' },
      skip: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick === true;
  const only = oneOf('only', list(values.only) ?? [...LOAD_CLIENTS], LOAD_CLIENTS);
  const clients = LOAD_CLIENTS.filter((c) => c === BASELINE || only.includes(c));
  const levels = (list(values.concurrency) ?? ['1', '16', '64']).map((c) =>
    positive('concurrency', c, 1),
  );
  for (const name of clients) if (!(name in CLIENTS)) throw new Error(`no driver for ${name}`);
  return {
    quick,
    rounds: positive('rounds', values.rounds, quick ? 2 : 5),
    durationMs: positive('duration', values.duration, quick ? 250 : 2000),
    warmupMs: positive('warmup', values.warmup, quick ? 250 : 2000),
    clients,
    targets: oneOf('targets', list(values.targets) ?? ['minimal', 'emulator'], [
      'minimal',
      'emulator',
    ] as const),
    concurrency: levels,
    startupRuns: positive('startup-runs', values['startup-runs'], quick ? 3 : 10),
    skip: new Set(oneOf('skip', list(values.skip) ?? [], ['load', 'retry', 'startup'] as const)),
    profile: values.profile === true,
  };
}
