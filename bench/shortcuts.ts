// `tsx bench/shortcuts.ts`: does each of the SDK's performance shortcuts earn its place? Builds
// the SDK once as it is (sdk@base) and once per shortcut with that shortcut removed
// (shortcuts/variants.ts), then measures them interleaved with raw undici, exactly as
// `pnpm bench` measures the SDK (separate processes, rotated order, medians of per-round
// ratios). A shortcut stays when removing it costs more than KEEP_ABOVE of sdk@base's
// throughput at some concurrency. Markdown to stdout, progress to stderr.

import { parseArgs } from 'node:util';
import { BASELINE } from './clients/index.js';
import { compileChildren } from './compile.js';
import { describeMachine, machineLine } from './machine.js';
import { runRounds } from './rounds.js';
import { buildVariants, VARIANTS_DIR } from './shortcuts/build.js';
import { BASE, VARIANTS } from './shortcuts/variants.js';
import { median, type Sample } from './stats.js';

/** A removal costing more than this fraction of throughput keeps the shortcut. */
const KEEP_ABOVE = 0.03;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    duration: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,16,64' },
  },
});
const rounds = Number(values.rounds);
const levels = values.concurrency.split(',').map(Number);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Median over rounds of `client`'s figure divided by `base`'s in the same round. */
function pairedRatio(
  samples: readonly Sample[],
  client: string,
  base: string,
  c: number,
  metric: 'rps' | 'cpuUsPerRequest',
): number | null {
  const ratios: number[] = [];
  for (const s of samples) {
    if (s.client !== client || s.concurrency !== c) continue;
    const b = samples.find((x) => x.client === base && x.concurrency === c && x.round === s.round);
    const value = s[metric];
    const baseValue = b?.[metric];
    if (value != null && baseValue != null && baseValue > 0) ratios.push(value / baseValue);
  }
  return median(ratios);
}

const pct = (r: number | null) => (r === null ? '–' : `${((r - 1) * 100).toFixed(1)} %`);

const machine = describeMachine();
log(`shortcuts: ${machineLine(machine)}`);
const names = await buildVariants();
process.env.STEMEDB_BENCH_VARIANTS_DIR = VARIANTS_DIR;
await compileChildren();
const clients = [BASELINE, ...names.map((n) => `sdk@${n}`)];
const cells = levels.flatMap((concurrency) => clients.map((client) => ({ client, concurrency })));
const samples = await runRounds({
  rounds,
  targets: ['minimal'],
  cells,
  warmupMs: Number(values.warmup),
  durationMs: Number(values.duration),
  onSample: (s, done, total) =>
    log(
      `[${done}/${total}] round ${s.round + 1} ${s.client} c=${s.concurrency}: ${s.rps.toFixed(0)} req/s, cpu ${s.cpuUsPerRequest?.toFixed(1) ?? '–'} µs/req`,
    ),
});

const out = [
  `### Shortcuts, ${new Date().toISOString()}`,
  '',
  machineLine(machine),
  '',
  `${rounds} rounds, minimal server; each figure is the median of per-round ratios. sdk@base against raw undici:`,
  '',
  `| c | sdk@base req/s ÷ undici |`,
  `| --: | --: |`,
  ...levels.map((c) => {
    const r = pairedRatio(samples, `sdk@${BASE}`, BASELINE, c, 'rps');
    return `| ${c} | ${r?.toFixed(3) ?? '–'} |`;
  }),
  '',
  'Each shortcut removed, against sdk@base (throughput change; client CPU per request change):',
  '',
  `| shortcut removed | ${levels.map((c) => `c=${c} req/s | c=${c} CPU`).join(' | ')} | verdict |`,
  `| --- | ${levels.map(() => '--: | --:').join(' | ')} | --- |`,
];
for (const variant of VARIANTS) {
  const client = `sdk@${variant.name}`;
  const rps = levels.map((c) => pairedRatio(samples, client, `sdk@${BASE}`, c, 'rps'));
  const cpu = levels.map((c) => pairedRatio(samples, client, `sdk@${BASE}`, c, 'cpuUsPerRequest'));
  const worst = Math.min(...rps.map((r) => r ?? 1));
  const verdict = worst < 1 - KEEP_ABOVE ? `keep (${pct(worst)})` : 'remove';
  const cellsText = levels.map((_, i) => `${pct(rps[i]!)} | ${pct(cpu[i]!)}`).join(' | ');
  out.push(`| ${variant.removes} | ${cellsText} | ${verdict} |`);
}
process.stdout.write(`${out.join('\n')}\n`);
