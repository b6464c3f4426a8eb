/**
 * Helpers of the persist and spool tests: scans of any size, a spool directory under the OS's
 * temp dir (removed after the test), a config for an emulator, the exactly-once read-back, and
 * client options that make the SDK's 2/4/8 s retries instant.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, type EmulatorOptions, startEmulator } from '@stemedb/emulator';
import { StemeClient } from '@stemedb/sdk';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createHostedConfig } from '../../src/config.js';
import { assertionIdentity, scanToAssertions } from '../../src/mapping.js';
import type { PersistClientOptions } from '../../src/persist/options.js';
import type { Scan } from '../../src/scan.js';
import { computeScanId } from '../../src/scan-id.js';
import { scanAgentId } from '../../src/subjects.js';
import type { HostedConfig } from '../../src/types.js';

/** A valid scan with `findings` findings; `seed` makes its content (and id) distinct. */
export function makeScan(findings: number, seed = 'a'): Scan {
  return {
    schema: 'aphoria.scan/v1',
    project: 'payments-api',
    commit: 'c'.repeat(40),
    branch: `main-${seed}`,
    scanner: { name: 'aphoria', version: '0.9.0' },
    started_at: '2026-12-01T10:00:00Z',
    finished_at: '2026-12-01T10:00:09Z',
    findings: Array.from({ length: findings }, (_, i) => ({
      rule: 'secrets/hardcoded-key',
      severity: 'high' as const,
      file: `src/file-${i}.ts`,
      line: i + 1,
      end_line: i + 1,
      message: `finding ${i} of ${seed}`,
      fingerprint: `fp-${seed}-${i}`,
    })),
  };
}

/** A temp spool directory per call; {@link cleanupDirs} removes them all. */
const dirs: string[] = [];
export async function tempDir(prefix = 'aphoria-spool-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
export async function cleanupDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/**
 * One emulator (no rate limit) for a test file: started before its tests, its faults cleared
 * and the temp dirs removed after each, closed at the end. Call at the file's top level; the
 * getter gives the running emulator inside a test. `options` are the emulator's, over no rate
 * limit (e.g. `{ idempotency: false }`). Inside a `describe`, its hooks are that block's.
 */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator({ rateLimit: false, ...options });
  });
  afterEach(async () => {
    emu?.faults.clear();
    await cleanupDirs();
  });
  afterAll(async () => {
    await emu?.close();
  });
  return () => {
    if (emu === undefined) throw new Error('useEmulator: the emulator is not started yet');
    return emu;
  };
}

/** A config for `emu` with its root key and a spool under `dir`. */
export function configFor(emu: Emulator, dir: string, apiKey = emu.rootApiKey): HostedConfig {
  return createHostedConfig({ url: emu.url, apiKey, spoolDir: join(dir, 'spool') });
}

/** A config for `emu`'s key that sends through `url` (a proxy in front of it). */
export function configVia(url: string, emu: Emulator, dir: string): HostedConfig {
  return createHostedConfig({ url, apiKey: emu.rootApiKey, spoolDir: join(dir, 'spool') });
}

/** The SDK's schedule, instant: three retries with no wait. */
export const INSTANT_RETRY: PersistClientOptions = {
  retry: { delays: [0, 0, 0] },
  sleep: async () => {},
};

/**
 * How many times each assertion of `scan` is on the server, by identity, read back through the
 * SDK: `{ missing, doubled, extra }` are all empty when the scan is stored exactly once.
 */
export async function readBack(
  emu: Emulator,
  scan: Scan,
): Promise<{ stored: number; missing: string[]; doubled: string[]; extra: string[] }> {
  const client = new StemeClient({ baseUrl: emu.url, apiKey: emu.rootApiKey, retry: false });
  try {
    const counts = new Map<string, number>();
    for await (const a of client.iterateAssertions({
      agent_id: scanAgentId(computeScanId(scan)),
      limit: 1000,
    })) {
      const id = assertionIdentity(a);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const want = new Set([...scanToAssertions(scan)].map((a) => assertionIdentity(a.input)));
    return {
      stored: [...counts.values()].reduce((s, n) => s + n, 0),
      missing: [...want].filter((id) => !counts.has(id)),
      doubled: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
      extra: [...counts.keys()].filter((id) => !want.has(id)),
    };
  } finally {
    await client.close();
  }
}

/** Collects warnings instead of printing them. */
export function warnings(): { list: string[]; onWarning: (m: string) => void } {
  const list: string[] = [];
  return { list, onWarning: (m) => list.push(m) };
}
