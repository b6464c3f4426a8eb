// The processes of bench/aphoria-persist.ts, one role each (argv[2] is a ChildSpec as JSON):
// - `server`: the emulator, in memory or on a data directory, until the IPC channel closes;
// - `baseline`: builds the scan and stops (what holding the scan alone costs in RSS);
// - `raw`: posts the scan's assertion bodies with raw undici.request at concurrency c;
// - `scan-file`: writes the same scan as a native scan file (JSON) and stops;
// - `persist`: persistScanFile of that file at concurrency c, as `aphoria-hosted persist
//   scan.json` runs it (read as a stream, validated, journal, send, acks, delete): no scan in
//   the process before the timer starts;
// - `spool`: persistScan against a closed port, so that the whole scan is left in the spool;
// - `flush`: flushSpool of that spool at concurrency c;
// - `sarif-log`: writes the same findings as a SARIF 2.1.0 log (one result each) and stops;
// - `sarif`: readSarifFile of that log (validated against the OASIS schema, mapped) and
//   persistScan of the scan it gives, at concurrency c: the SARIF path end to end;
// - `sarif-read`: readSarifFile of that log alone (what reading a log costs, in time and RSS).
// Compiled to plain JavaScript first (as compile.ts does for the main bench): under tsx each
// client would carry the loader's ~35 MiB in its peak RSS.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeScanId,
  createHostedConfig,
  flushSpool,
  persistScan,
  persistScanFile,
  readSarifFile,
  type Scan,
  scanToAssertions,
} from '@stemedb/aphoria-client';
import { Pool, request } from 'undici';

export type Role =
  | 'server'
  | 'baseline'
  | 'raw'
  | 'persist'
  | 'scan-file'
  | 'spool'
  | 'flush'
  | 'sarif-log'
  | 'sarif'
  | 'sarif-read';

export interface ChildSpec {
  readonly role: Role;
  readonly findings: number;
  readonly concurrency: number;
  readonly url?: string;
  readonly apiKey?: string;
  /** server: persist on a fresh data directory. */
  readonly dataDir?: boolean;
  /** server: honour `Idempotency-Key` (the emulator's default); false for the diagnostic run. */
  readonly idempotency?: boolean;
  /** spool, flush: the spool directory. */
  readonly spoolDir?: string;
  /** sarif-log, sarif, sarif-read: the SARIF log's path. */
  readonly sarifPath?: string;
  /** scan-file, persist: the native scan file's path. */
  readonly scanPath?: string;
  /** persist: `persistScan` of the scan built in memory (runs 1-11), not `persistScanFile`. */
  readonly persistFromMemory?: boolean;
}

export type ChildMessage =
  | { type: 'ready'; url: string; apiKey: string }
  | { type: 'result'; assertions: number; ms: number; cpuUs: number; maxRssKb: number }
  | { type: 'error'; message: string }
  | { type: 'server-cpu'; cpuUs: number };

// A closed port on loopback: every connection is refused at once.
const NOWHERE = 'http://127.0.0.1:9';
const SCAN_SEED = 'bench';

/**
 * A scan like Aphoria's: `findings` findings with realistic field sizes, each passed through
 * JSON text as a scan read from its file (`readScanFile`) is. That matters to every client
 * alike: strings built by template literals are V8 cons strings, which the first reader (the
 * scan id, raw undici's JSON.stringify) flattens in place, into the old generation, about
 * 16 MB more for 100,000 findings (bench/README.md, "Where persist's peak RSS went").
 */
function makeScan(findings: number): Scan {
  const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
  return {
    schema: 'aphoria.scan/v1',
    project: 'payments-api',
    commit: 'c'.repeat(40),
    branch: 'main',
    scanner: { name: 'aphoria', version: '0.9.0' },
    started_at: '2026-12-01T10:00:00Z',
    finished_at: '2026-12-01T10:00:09Z',
    findings: Array.from(
      { length: findings },
      (_, i) =>
        JSON.parse(
          JSON.stringify({
            rule: `secrets/rule-${i % 17}`,
            severity: severities[i % 5]!,
            file: `src/module-${i % 500}/file-${i}.ts`,
            line: (i % 900) + 1,
            end_line: (i % 900) + 3,
            message: `Hard-coded credential in an assignment (finding ${i} of the ${SCAN_SEED} scan)`,
            fingerprint: `${SCAN_SEED}-${i.toString(16).padStart(8, '0')}`,
          }),
        ) as Scan['findings'][number],
    ),
  };
}

const SARIF_LEVEL = {
  info: 'none',
  low: 'note',
  medium: 'warning',
  high: 'error',
  critical: 'error',
} as const;

/** The scan's findings as a SARIF 2.1.0 log: one result per finding, its fingerprint given. */
function sarifLogOf(scan: Scan): unknown {
  return {
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: scan.scanner.name, version: scan.scanner.version } },
        versionControlProvenance: [
          {
            repositoryUri: 'https://example.com/r.git',
            revisionId: scan.commit,
            branch: scan.branch,
          },
        ],
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: scan.started_at,
            endTimeUtc: scan.finished_at,
          },
        ],
        results: scan.findings.map((f) => ({
          ruleId: f.rule,
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file },
                region: { startLine: f.line, endLine: f.end_line },
              },
            },
          ],
          partialFingerprints: { primaryLocationLineHash: f.fingerprint },
        })),
      },
    ],
  };
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()) ?? resolve());
}

async function timed(assertions: number, run: () => Promise<void>): Promise<ChildMessage> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    type: 'result',
    assertions,
    ms,
    cpuUs: used.user + used.system,
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

async function serve(spec: ChildSpec): Promise<void> {
  const dataDir = spec.dataDir ? await mkdtemp(join(tmpdir(), 'aphoria-bench-data-')) : undefined;
  // Imported here only: a client process must not carry the emulator in its resident set.
  const { startEmulator } = await import('@stemedb/emulator');
  const emu = await startEmulator({
    port: 0,
    rateLimit: false,
    idempotency: spec.idempotency !== false,
    ...(dataDir ? { dataDir } : {}),
  });
  // The server's CPU from here on: what the client's requests cost it (an Idempotency-Key, for
  // one, costs the server a hash and a kept answer per write).
  const cpu = process.cpuUsage();
  await send({ type: 'ready', url: emu.url, apiKey: emu.rootApiKey });
  process.on('message', (m: { type?: string }) => {
    if (m.type !== 'cpu?') return;
    const used = process.cpuUsage(cpu);
    void send({ type: 'server-cpu', cpuUs: used.user + used.system });
  });
  process.on('disconnect', () => {
    void emu
      .close()
      .then(() => (dataDir ? rm(dataDir, { recursive: true, force: true }) : undefined))
      .finally(() => process.exit(0));
  });
}

// The baseline: the same requests, c callers in a closed loop over one keep-alive Pool, status
// checked, answer read. The same bodies, serialised as the SDK does (JSON.stringify of the
// input), and the same `Idempotency-Key: <scan id>:<index>` that persist sends: the emulator
// keeps an answer for every key (30-40 µs of its CPU a write on this machine), and it shares
// the machine's cores with the client, so a baseline without the header would charge the
// server's work to persist. `--no-server-idempotency` runs both with the server ignoring it.
async function raw(scan: Scan, spec: ChildSpec): Promise<void> {
  const pool = new Pool(spec.url!);
  const url = `${spec.url}/v1/assert`;
  const scanId = computeScanId(scan);
  const inputs = scanToAssertions(scan);
  try {
    await Promise.all(
      Array.from({ length: spec.concurrency }, async () => {
        for (let next = inputs.next(); !next.done; next = inputs.next()) {
          const res = await request(url, {
            dispatcher: pool,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-api-key': spec.apiKey!,
              'idempotency-key': `${scanId}:${next.value.index}`,
            },
            body: JSON.stringify(next.value.input),
          });
          if (res.statusCode !== 201) throw new Error(`raw: status ${res.statusCode}`);
          await res.body.json();
        }
      }),
    );
  } finally {
    await pool.close();
  }
}

async function main(spec: ChildSpec): Promise<ChildMessage | undefined> {
  if (spec.role === 'server') {
    await serve(spec);
    return undefined;
  }
  const total = spec.findings + 1;
  const onWarning = () => {};
  if (spec.role === 'flush') {
    // No scan in this process: a flush has only the spool (a later CI job, another process).
    const config = createHostedConfig({
      url: spec.url!,
      apiKey: spec.apiKey!,
      spoolDir: spec.spoolDir!,
    });
    return timed(total, async () => {
      // The spool was written towards NOWHERE (journals record their server): sent here on purpose.
      const r = await flushSpool({
        config,
        to: spec.url!,
        concurrency: spec.concurrency,
        onWarning,
      });
      if (r.completed !== 1 || r.sent !== total) throw new Error(`flush: ${JSON.stringify(r)}`);
    });
  }
  if (spec.role === 'sarif-read') {
    return timed(total, async () => {
      const scan = await readSarifFile(spec.sarifPath!, { project: 'payments-api' });
      if (scan.findings.length !== spec.findings) throw new Error('sarif-read: findings lost');
    });
  }
  if (spec.role === 'sarif') {
    // No scan in this process before the timer starts: the log is read from its file.
    const spoolDir = await mkdtemp(join(tmpdir(), 'aphoria-bench-spool-'));
    const config = createHostedConfig({ url: spec.url!, apiKey: spec.apiKey!, spoolDir });
    try {
      return await timed(total, async () => {
        const scan = await readSarifFile(spec.sarifPath!, { project: 'payments-api' });
        const r = await persistScan(scan, { config, concurrency: spec.concurrency, onWarning });
        if (!r.complete || r.sent !== total) throw new Error(`sarif: ${JSON.stringify(r)}`);
      });
    } finally {
      await rm(spoolDir, { recursive: true, force: true });
    }
  }
  if (spec.role === 'persist' && !spec.persistFromMemory) {
    // No scan in this process before the timer starts: the CLI's path, from the file.
    const spoolDir = await mkdtemp(join(tmpdir(), 'aphoria-bench-spool-'));
    const config = createHostedConfig({ url: spec.url!, apiKey: spec.apiKey!, spoolDir });
    try {
      return await timed(total, async () => {
        const r = await persistScanFile(spec.scanPath!, {
          config,
          concurrency: spec.concurrency,
          onWarning,
        });
        if (!r.complete || r.sent !== total) throw new Error(`persist: ${JSON.stringify(r)}`);
      });
    } finally {
      await rm(spoolDir, { recursive: true, force: true });
    }
  }
  const scan = makeScan(spec.findings);
  switch (spec.role) {
    case 'persist': {
      const spoolDir = await mkdtemp(join(tmpdir(), 'aphoria-bench-spool-'));
      const config = createHostedConfig({ url: spec.url!, apiKey: spec.apiKey!, spoolDir });
      try {
        return await timed(total, async () => {
          const r = await persistScan(scan, { config, concurrency: spec.concurrency, onWarning });
          if (!r.complete || r.sent !== total) throw new Error(`persist: ${JSON.stringify(r)}`);
        });
      } finally {
        await rm(spoolDir, { recursive: true, force: true });
      }
    }
    case 'scan-file':
      await writeFile(spec.scanPath!, JSON.stringify(scan, null, 2));
      return timed(0, async () => {});
    case 'sarif-log':
      await writeFile(spec.sarifPath!, JSON.stringify(sarifLogOf(scan)));
      return timed(0, async () => {});
    case 'baseline':
      return timed(0, async () => {});
    case 'raw':
      return timed(total, () => raw(scan, spec));
    case 'spool': {
      const config = createHostedConfig({
        url: NOWHERE,
        apiKey: spec.apiKey!,
        spoolDir: spec.spoolDir!,
      });
      return timed(total, async () => {
        const r = await persistScan(scan, { config, clientOptions: { retry: false }, onWarning });
        if (r.spooled !== total) throw new Error(`spool: ${JSON.stringify(r)}`);
      });
    }
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
try {
  const result = await main(spec);
  if (result !== undefined) {
    await send(result);
    process.exit(0);
  }
} catch (error) {
  await send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
