/**
 * Issue 7 §4: `aphoria-hosted` spawned as a user runs it, against the emulator over loopback:
 * exit codes, `--json` shapes, spooling and flushing, status, errors on one line with no stack
 * and no key, and no progress output outside a terminal.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateApiKey } from '@stemedb/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeScanId, flushSpool, persistScan, type Scan } from '../../src/index.js';
import { leakedPieces } from '../fixtures/config.js';
import { configFor, makeScan, readBack, tempDir, useEmulator } from '../support/persist.js';
import { BIN, cleanEnv, cli, ensureBuilt, hasStack, project } from './harness.js';

// The CLI runs from dist/: built (if stale) before the emulator starts.
beforeAll(() => {
  ensureBuilt();
}, 180_000);
// Started once, its faults and temp dirs cleared after each test.
const emu = useEmulator();

/**
 * The keys of what persistScan and flushSpool resolve to, from calling them in process: the
 * CLI's --json must print those objects as they are, whatever fields they grow.
 */
async function libraryKeys(): Promise<{ persist: string[]; flush: string[] }> {
  const config = configFor(emu(), await tempDir());
  const persisted = await persistScan(makeScan(1, 'cli-keys'), { config, onWarning: () => {} });
  const flushed = await flushSpool({ config, onWarning: () => {} });
  return { persist: Object.keys(persisted).sort(), flush: Object.keys(flushed).sort() };
}
const keysOf = (value: object) => Object.keys(value).sort();

/** A project wired to the emulator, and a scan file in it. */
async function setup(scan: Scan, key = emu().rootApiKey) {
  const root = await project(`url = "${emu().url}"`);
  await writeFile(join(root, 'scan.json'), JSON.stringify(scan));
  return { root, env: cleanEnv({ STEMEDB_API_KEY: key, NO_COLOR: '1' }), key };
}

/** A 503 outage whose Retry-After of 0 s makes the SDK's three retries instant. */
const outage = () => emu().faults.outage({ ms: 600_000, mode: 503, retryAfterSeconds: 0 });

describe('aphoria-hosted persist', () => {
  it('persists a scan exactly once and exits 0, printing one line and nothing on stderr', async () => {
    const scan = makeScan(12, 'cli-ok');
    const { root, env } = await setup(scan);
    const result = await cli(['persist', 'scan.json'], root, env);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(`^scan ${computeScanId(scan)}: persisted: 13 assertion\\(s\\), 13 sent`),
    );
    expect(await readBack(emu(), scan)).toEqual({
      stored: 13,
      missing: [],
      doubled: [],
      extra: [],
    });
  });

  it('prints the persistScan result with --json, and a second run stores nothing twice', async () => {
    const scan = makeScan(5, 'cli-json');
    const { root, env } = await setup(scan);
    const first = await cli(['persist', 'scan.json', '--json'], root, env);
    expect(first.code).toBe(0);
    const json = JSON.parse(first.stdout);
    const keys = await libraryKeys();
    expect(keys.persist).toEqual(
      expect.arrayContaining(['sent', 'alreadyPresent', 'spooled', 'durationMs']),
    );
    expect(keysOf(json)).toEqual(keys.persist);
    expect(json).toMatchObject({ scanId: computeScanId(scan), total: 6, sent: 6, spooled: 0 });
    expect(keysOf(json.flushed)).toEqual(keys.flush);
    const again = JSON.parse((await cli(['persist', '--json', 'scan.json'], root, env)).stdout);
    expect(again).toMatchObject({ sent: 0, alreadyPresent: 6, complete: true });
    expect((await readBack(emu(), scan)).doubled).toEqual([]);
  });

  it('spools when StemeDB is down (exit 0, a warning), then flush sends it exactly once', async () => {
    const scan = makeScan(8, 'cli-down');
    const { root, env } = await setup(scan);
    outage();
    const down = await cli(['persist', 'scan.json', '--json'], root, env);
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ sent: 0, spooled: 9, complete: false });
    expect(down.stderr).toMatch(
      /^aphoria-hosted: warning: StemeDB is unreachable.*9 assertion\(s\) are spooled in /m,
    );
    expect(hasStack(down.stderr)).toBe(false);

    const status = JSON.parse((await cli(['status', '--json'], root, env)).stdout);
    expect(status.spool).toMatchObject({ scans: 1, records: 9 });
    expect(status.server).toMatchObject({ checked: true, reachable: false });

    emu().faults.clear();
    const flushed = await cli(['flush', '--json'], root, env);
    expect({ code: flushed.code, stderr: flushed.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(flushed.stdout);
    expect(keysOf(result)).toEqual((await libraryKeys()).flush);
    expect(result).toMatchObject({ scans: 1, completed: 1, sent: 9, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({ stored: 9, missing: [], doubled: [], extra: [] });

    const empty = await cli(['flush'], root, env);
    expect(empty.stdout).toMatch(/empty, nothing to send/);
  });

  it('exits 4 with --strict when StemeDB is down, printing the result with --json', async () => {
    const scan = makeScan(3, 'cli-strict');
    const { root, env } = await setup(scan);
    outage();
    const result = await cli(['persist', 'scan.json', '--strict', '--json'], root, env);
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toMatchObject({ spooled: 4, complete: false });
    expect(result.stderr).toMatch(
      /^aphoria-hosted: error: .*not wholly stored.*\[persist_incomplete\]$/m,
    );
    expect(hasStack(result.stderr)).toBe(false);
  });

  it('spools when nothing listens at the URL, after the SDK has retried 2, 4 and 8 s', async () => {
    const scan = makeScan(2, 'cli-refused');
    const root = await project('url = "http://127.0.0.1:9"');
    await writeFile(join(root, 'scan.json'), JSON.stringify(scan));
    const env = cleanEnv({ STEMEDB_API_KEY: generateApiKey() });
    const result = await cli(['persist', 'scan.json'], root, env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /spooled in .*3 assertion\(s\), 0 sent, 0 already stored, 3 spooled/,
    );
    expect(result.stderr).toMatch(/warning: StemeDB is unreachable/);
  }, 60_000);

  it('exits 3 on a 401, naming the env var, never the key, spooling nothing', async () => {
    const apiKey = generateApiKey();
    const scan = makeScan(2, 'cli-401');
    const root = await project(`url = "${emu().url}"\napi_key_env = "PAYMENTS_KEY"`);
    await writeFile(join(root, 'scan.json'), JSON.stringify(scan));
    const env = cleanEnv({ PAYMENTS_KEY: apiKey });
    const result = await cli(['persist', 'scan.json', '--json'], root, env);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/PAYMENTS_KEY \(401 Unauthorized\).*stemedb-admin onboard/);
    expect(leakedPieces(result.stdout + result.stderr, apiKey)).toEqual([]);
    const status = await cli(['status', '--json'], root, env);
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout)).toMatchObject({
      key: { env: 'PAYMENTS_KEY', present: true },
      server: { reachable: true, keyAccepted: false },
      spool: { records: 0 },
    });
    expect(leakedPieces(status.stdout + status.stderr, apiKey)).toEqual([]);
  });

  it.each([
    {
      name: 'no config file',
      toml: undefined,
      env: {},
      want: /no \.aphoria\/config\.toml found/,
    },
    {
      name: 'http:// to a non-loopback host',
      toml: 'url = "http://stemedb.example.com"',
      env: { STEMEDB_API_KEY: generateApiKey() },
      want: /config\.toml:2: \[hosted\] url uses http:\/\/ to stemedb\.example\.com/,
    },
    {
      name: 'the key env var unset',
      toml: 'url = "https://stemedb.example.com"',
      env: {},
      want: /environment variable STEMEDB_API_KEY .* is not set/,
    },
  ])(
    'exits 2 on a bad config ($name), on one line without a stack',
    async ({ toml, env, want }) => {
      const root = toml === undefined ? await tempDir('aphoria-cli-') : await project(toml);
      await writeFile(join(root, 'scan.json'), JSON.stringify(makeScan(1)));
      const result = await cli(['persist', 'scan.json'], root, cleanEnv(env));
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(want);
      expect(result.stderr).toMatch(/\[config_invalid\]$/m);
      expect(hasStack(result.stderr)).toBe(false);
    },
  );

  it.each([
    {
      name: 'a finding with line 0',
      text: () => {
        const scan = makeScan(2) as { findings: { line: number }[] };
        scan.findings[1]!.line = 0;
        return JSON.stringify(scan);
      },
      want: /findings\[1\]\.line: must be ≥ 1/,
    },
    {
      name: 'an unknown field',
      text: () => JSON.stringify({ ...makeScan(1), extra: true }),
      want: /extra: is not a field of this schema/,
    },
    {
      name: 'not JSON',
      text: () => '{\n  "schema": nope\n}',
      want: /bad\.json is not JSON: Unexpected token 'o' \[scan_invalid\]$/m,
    },
  ])(
    'exits 2 on a bad scan file ($name), naming the JSON path, no stack',
    async ({ text, want }) => {
      const { root, env } = await setup(makeScan(1));
      await writeFile(join(root, 'bad.json'), text());
      const result = await cli(['persist', 'bad.json'], root, env);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(want);
      expect(result.stderr).toMatch(/\[scan_invalid\]$/m);
      expect(hasStack(result.stderr)).toBe(false);
    },
  );

  it('resolves the scan file and the config from --cwd, and prints a stack only with --debug', async () => {
    const { root, env } = await setup(makeScan(1));
    const elsewhere = await tempDir('aphoria-cli-elsewhere-');
    const missing = await cli(['persist', 'missing.json', '--cwd', root], elsewhere, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      new RegExp(`cannot read the scan file ${join(root, 'missing.json')}`),
    );
    expect(hasStack(missing.stderr)).toBe(false);
    const debug = await cli(['--debug', 'persist', 'missing.json', '--cwd', root], elsewhere, env);
    expect(debug.code).toBe(2);
    expect(hasStack(debug.stderr)).toBe(true);
  });

  it('exits 2 on a bad --concurrency', async () => {
    const { root, env } = await setup(makeScan(1));
    const result = await cli(['persist', 'scan.json', '--concurrency', '0'], root, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--concurrency must be a whole number from 1 to 256/);
  });

  it('prints no progress and no colour outside a terminal, even without NO_COLOR', async () => {
    const scan = makeScan(30, 'cli-plain');
    const { root, key } = await setup(scan);
    const env = cleanEnv({ STEMEDB_API_KEY: key, FORCE_COLOR: '1' });
    outage();
    const result = await cli(['persist', 'scan.json', '--concurrency', '2'], root, env);
    expect(result.code).toBe(0);
    // One warning line only: no bar, no carriage returns, no escape codes.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const all = result.stdout + result.stderr;
    expect({ cr: all.includes('\r'), esc: all.includes('\u001b') }).toEqual({
      cr: false,
      esc: false,
    });
    expect(all).not.toMatch(/\d+\/\d+ assertions/);
  });
});

// util-linux's `script` runs the CLI on a real pseudo-terminal (essential on Debian).
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));

describe('aphoria-hosted on a terminal', () => {
  it.skipIf(SCRIPT === undefined)(
    'draws a progress bar, and NO_COLOR keeps the warning uncoloured (needs util-linux script)',
    async () => {
      const scan = makeScan(20, 'cli-tty');
      const { root, env } = await setup(scan);
      emu().faults.latency(20);
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} persist scan.json --concurrency 1`;
      const run = (extra: Record<string, string | undefined>) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(SCRIPT!, ['-qec', command, '/dev/null'], {
            cwd: root,
            env: { ...env, ...extra, TERM: 'xterm' },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            out += chunk;
          });
          child.on('close', (code) => resolve({ code, out }));
        });
      const tty = await run({ NO_COLOR: '1' });
      expect(tty.code).toBe(0);
      expect(tty.out).toMatch(/persist [0-9a-f]{8} \[.*\] \d+\/21 assertions/);
      expect(tty.out).toMatch(/persisted: 21 assertion\(s\)/);

      emu().faults.clear();
      outage(); // a warning to colour
      const warned = await run({ NO_COLOR: '1' });
      expect(warned.out).toMatch(/aphoria-hosted: warning: /);
      expect(warned.out).not.toContain('\u001b[33m');
      const coloured = await run({ NO_COLOR: undefined });
      expect(coloured.out).toContain('\u001b[33mwarning\u001b[39m');
    },
    60_000,
  );
});

describe('aphoria-hosted interrupted', () => {
  it('stops on SIGINT with exit 130, leaving the rest spooled for flush to send exactly once', async () => {
    const scan = makeScan(40, 'cli-sigint');
    const { root, env } = await setup(scan);
    emu().faults.latency(100);
    const before = emu().requests().length;
    const child = spawn(process.execPath, [BIN, 'persist', 'scan.json', '--concurrency', '1'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt once a few writes are through: mid-persist, whatever the machine's speed.
    while (
      emu()
        .requests()
        .slice(before)
        .filter((r) => r.path === '/v1/assert').length < 3
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/^aphoria-hosted: warning: SIGINT: stopping/m);
    expect(hasStack(stderr)).toBe(false);
    emu().faults.clear();

    const status = JSON.parse((await cli(['status', '--json'], root, env)).stdout);
    expect(status.spool.scans).toBe(1);
    expect(status.spool.records).toBeGreaterThan(0);
    const flushed = await cli(['flush', '--json'], root, env);
    expect(flushed.code).toBe(0);
    expect(JSON.parse(flushed.stdout)).toMatchObject({ completed: 1, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: 41,
      missing: [],
      doubled: [],
      extra: [],
    });
  }, 60_000);
});

describe('aphoria-hosted status', () => {
  it('reports the config, the key (never shown), the server and the spool; exit 0', async () => {
    const { root, env, key } = await setup(makeScan(1));
    const result = await cli(['status', '--json'], root, env);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report).sort()).toEqual([
      'config',
      'key',
      'server',
      'spool',
      'url',
      'warnings',
    ]);
    expect(report).toMatchObject({
      config: { found: true, valid: true, path: join(root, '.aphoria', 'config.toml') },
      url: emu().url,
      key: { env: 'STEMEDB_API_KEY', present: true },
      server: { checked: true, reachable: true, keyAccepted: true, error: null },
      spool: { dir: join(root, '.aphoria', 'spool'), scans: 0, records: 0 },
    });
    const text = await cli(['status'], root, env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^key\s+STEMEDB_API_KEY is set \(not shown\)$/m);
    expect(text.stdout).toMatch(/^server\s+reachable; key accepted$/m);
    expect(leakedPieces(result.stdout + text.stdout + text.stderr, key)).toEqual([]);
  });

  it('exits 0 and says so when the server is unreachable', async () => {
    const root = await project('url = "http://127.0.0.1:9"');
    const result = await cli(['status'], root, cleanEnv({ STEMEDB_API_KEY: generateApiKey() }));
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^server\s+unreachable: .*\(persist would spool\)$/m);
  });

  it('exits 2 when the key is not set, still naming the env var and the spool', async () => {
    const root = await project(`url = "${emu().url}"\napi_key_env = "OTHER_KEY"`);
    const result = await cli(['status', '--json'], root, cleanEnv({}));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      config: { found: true, valid: false },
      key: { env: 'OTHER_KEY', present: false },
      server: { checked: false },
      spool: { dir: join(root, '.aphoria', 'spool'), scans: 0 },
    });
    expect(result.stderr).toMatch(/^aphoria-hosted: error: .*OTHER_KEY.*is not set/);
  });
});

describe('aphoria-hosted status without a config', () => {
  it('exits 2, says no config was found, and whether the default env var is set', async () => {
    const root = await tempDir('aphoria-cli-');
    const key = generateApiKey();
    const result = await cli(['status', '--json'], root, cleanEnv({ STEMEDB_API_KEY: key }));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      config: {
        found: false,
        path: null,
        valid: false,
        error: expect.stringMatching(/no \.aphoria\/config\.toml found/),
      },
      url: null,
      key: { env: 'STEMEDB_API_KEY', present: true },
      server: {
        checked: false,
        reachable: null,
        keyAccepted: null,
        notStemeDb: false,
        error: null,
      },
      spool: null,
      warnings: [],
    });
    expect(leakedPieces(result.stdout + result.stderr, key)).toEqual([]);
  });
});

describe('aphoria-hosted --help', () => {
  it.each([['persist'], ['flush'], ['status']])(
    '%s --help prints usage and exit codes, exit 0',
    async (command) => {
      const root = await tempDir('aphoria-cli-');
      const result = await cli([command, '--help'], root, cleanEnv({}));
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: aphoria-hosted ${command} \\[options\\]`));
      expect(result.stdout).toMatch(/--cwd <dir>/);
      expect(result.stdout).toMatch(/--json/);
      expect(result.stdout).toMatch(/Exit codes:\n\s+0 /);
      expect(result.stderr).toBe('');
    },
  );

  it('exits 2 on an unknown command, on one line', async () => {
    const result = await cli(['presist'], await tempDir('aphoria-cli-'), cleanEnv({}));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^aphoria-hosted: error: unknown command 'presist'/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
