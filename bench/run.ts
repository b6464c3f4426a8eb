// `pnpm bench`: the SDK against its transport and the alternatives, on one machine, in one run.
// Markdown to stdout, progress to stderr, everything measured to bench/results/<time>.json.
// See bench/README.md for the method and the recorded figures.

import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BASELINE } from './clients/index.js';
import { compileChildren } from './compile.js';
import { describeMachine, machineLine } from './machine.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { runLoad } from './processes.js';
import { DUMMY_API_KEY } from './protocol.js';
import { loadTable, retryTable, type TimingRow, timingTable, writeJson } from './report.js';
import { runRounds } from './rounds.js';
import { cliStarts, importTimes } from './startup.js';
import { checkTargets, type Row, type Sample, summarise } from './stats.js';

const SDK_CLIENTS = ['sdk', 'sdk-many'];
const RETRY_CLIENTS = ['undici-retry', 'sdk-retry'];
const PROFILE_DIR = new URL('./results/profiles/', import.meta.url);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function progress(sample: Sample, done: number, total: number): void {
  const latency = sample.p50Ms === null ? '' : ` p50 ${sample.p50Ms.toFixed(3)} ms`;
  log(
    `[${done}/${total}] round ${sample.round + 1} ${sample.target} ${sample.client} ` +
      `c=${sample.concurrency}: ${sample.rps.toFixed(0)} req/s${latency} ` +
      `cpu ${sample.cpuUsPerRequest?.toFixed(0) ?? '–'} µs/req ` +
      `rss ${(sample.maxRssKb / 1024).toFixed(1)} MiB`,
  );
}

/** The worker's own peak RSS with no client loaded, to read the RSS column against. */
async function workerBaselineRssKb(): Promise<number> {
  const target = { name: 'minimal', url: 'http://127.0.0.1:9', apiKey: DUMMY_API_KEY } as const;
  const spec = { client: 'none', target, concurrency: 1, warmupMs: 0, durationMs: 0 };
  return (await runLoad(spec)).maxRssKb;
}

async function main(options: Options): Promise<void> {
  const machine = describeMachine();
  log(`bench: ${machineLine(machine)}`);
  await compileChildren();
  const profileDir = options.profile ? fileURLToPath(PROFILE_DIR) : undefined;
  const window = { warmupMs: options.warmupMs, durationMs: options.durationMs, profileDir };

  let loadSamples: Sample[] = [];
  let loadRows: Row[] = [];
  if (!options.skip.has('load')) {
    const cells = options.concurrency.flatMap((concurrency) =>
      options.clients.map((client) => ({ client, concurrency })),
    );
    const plan = { ...window, rounds: options.rounds, targets: options.targets, cells };
    loadSamples = await runRounds({ ...plan, onSample: progress });
    loadRows = summarise(loadSamples, options.clients, BASELINE);
  }

  let retrySamples: Sample[] = [];
  let retryRows: Row[] = [];
  if (!options.skip.has('retry')) {
    const cells = RETRY_CLIENTS.map((client) => ({ client, concurrency: 1 }));
    const plan = { ...window, rounds: options.rounds, targets: ['minimal'] as const, cells };
    retrySamples = await runRounds({ ...plan, onSample: progress });
    retryRows = summarise(retrySamples, RETRY_CLIENTS, 'undici-retry');
  }

  let imports: TimingRow[] = [];
  let clis: TimingRow[] = [];
  let baselineRssKb: number | null = null;
  if (!options.skip.has('startup')) {
    log(`bench: startup, ${options.startupRuns} fresh processes per figure`);
    imports = importTimes(options.startupRuns);
    clis = cliStarts(options.startupRuns);
    baselineRssKb = await workerBaselineRssKb();
  }
  machine.loadEnd = loadavg()[0]!;

  const out: string[] = [`### Figures, ${new Date().toISOString()}`, '', machineLine(machine), ''];
  out.push(
    `Command: \`${['tsx bench/run.ts', ...process.argv.slice(2)].join(' ')}\`; ${options.rounds} rounds, ` +
      `${options.warmupMs} ms warm-up + ${options.durationMs} ms window per measurement.`,
    '',
  );
  if (loadRows.length > 0) {
    out.push(loadTable(loadRows));
    if (baselineRssKb !== null) {
      out.push(
        `A worker that loads no client peaks at ${(baselineRssKb / 1024).toFixed(1)} MiB.`,
        '',
      );
    }
    if (loadRows.some((r) => SDK_CLIENTS.includes(r.client))) {
      const misses = checkTargets(loadRows, SDK_CLIENTS);
      const verdict = misses.length === 0 ? 'met.' : `missed:\n\n- ${misses.join('\n- ')}`;
      out.push(`Targets: ${verdict}`, '');
    }
  }
  if (retryRows.length > 0) {
    const single = loadRows.find(
      (r) => r.client === 'sdk' && r.concurrency === 1 && r.target === 'minimal',
    );
    out.push('#### Retry path (c=1, minimal server)', '', retryTable(retryRows, single));
  }
  if (imports.length > 0) out.push(timingTable('Import time', imports));
  if (clis.length > 0) out.push(timingTable('CLI cold start', clis));
  process.stdout.write(`${out.join('\n')}\n`);

  const path = await writeJson({
    machine,
    options: { ...options, skip: [...options.skip] },
    load: { rows: loadRows, samples: loadSamples },
    retry: { rows: retryRows, samples: retrySamples },
    startup: { imports, clis, workerBaselineRssKb: baselineRssKb },
  });
  log(`bench: wrote ${path}`);
}

let options: Options | null;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  log(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options === null) {
  process.stdout.write(USAGE);
} else {
  await main(options).catch((error: unknown) => {
    log(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
