/**
 * readScanHistory against the emulator over loopback: scans persisted with persistScan, then
 * a finding's and a project's history read back, newest first, each scan once.
 */
import { generateApiKey, StemeClient } from '@stemedb/sdk';
import { describe, expect, it } from 'vitest';
import {
  AphoriaOptionsError,
  computeScanId,
  createHostedConfig,
  FINDING_PREDICATE,
  findingSubject,
  HostedAuthError,
  type HostedConfig,
  persistScan,
  readScanHistory,
  type Scan,
  scanAgentId,
} from '../../src/index.js';
import { allRenderings, leakedPieces } from '../fixtures/config.js';
import { finding, validScan } from '../fixtures/scans.js';
import { configFor, tempDir, useEmulator } from '../support/persist.js';

// Started once, its faults and temp dirs cleared after each test.
const emu = useEmulator();

/** A scan of `project` at commit `c` (one hex digit, repeated) with the findings of `ns`. */
function scanAt(project: string, c: string, ns: number[]): Scan {
  return validScan(0, {
    project,
    commit: c.repeat(40),
    findings: ns.map((n) => finding(n)),
  });
}

async function persistAll(config: HostedConfig, scans: Scan[]): Promise<void> {
  for (const scan of scans) {
    const result = await persistScan(scan, { config, onWarning: () => {} });
    expect(result.complete).toBe(true);
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('readScanHistory', () => {
  it("reads a finding's history newest first, one entry per scan that reported it", async () => {
    const config = configFor(emu(), await tempDir());
    const scans = [
      scanAt('history-one', 'a', [0, 1]),
      scanAt('history-one', 'b', [1]), // finding 0 fixed in b
      scanAt('history-one', 'c', [0, 1, 2]), // and back in c
    ];
    await persistAll(config, scans);
    const seen = await collect(
      readScanHistory({ config, project: 'history-one', fingerprint: finding(0).fingerprint }),
    );
    expect(seen.map((e) => e.value.commit)).toEqual(['c'.repeat(40), 'a'.repeat(40)]);
    expect(seen.map((e) => e.scanId)).toEqual([computeScanId(scans[2]!), computeScanId(scans[0]!)]);
    expect(seen[0]!.value).toMatchObject({ rule: finding(0).rule, file: finding(0).file });
    expect(seen[0]!.acceptedAt >= seen[1]!.acceptedAt).toBe(true);
  });

  it("reads a project's scans newest first from their summaries", async () => {
    const config = configFor(emu(), await tempDir());
    const scans = [
      scanAt('history-two', 'a', [0]),
      scanAt('history-two', 'b', [0, 1, 2]),
      scanAt('history-three', 'c', [0]), // another project: not in history-two's history
    ];
    await persistAll(config, scans);
    const seen = await collect(readScanHistory({ config, project: 'history-two' }));
    expect(seen.map((e) => [e.value.commit, e.value.findings])).toEqual([
      ['b'.repeat(40), 3],
      ['a'.repeat(40), 1],
    ]);
  });

  it('reads back a fingerprint that is hashed into its subject', async () => {
    const config = configFor(emu(), await tempDir());
    const odd = 'src/a b.ts::Ünïcode/…';
    await persistAll(config, [
      validScan(0, { project: 'history-odd', findings: [finding(0, { fingerprint: odd })] }),
    ]);
    const seen = await collect(
      readScanHistory({ config, project: 'history-odd', fingerprint: odd }),
    );
    expect(seen.map((e) => e.value.fingerprint)).toEqual([odd]);
  });

  it('skips what another writer put on the subject and repeats of a scan', async () => {
    const config = configFor(emu(), await tempDir());
    const scan = scanAt('history-foreign', 'a', [0]);
    await persistAll(config, [scan]);
    const subject = findingSubject('history-foreign', finding(0).fingerprint);
    const scanId = computeScanId(scan);
    const client = new StemeClient({ baseUrl: emu().url, apiKey: emu().rootApiKey, retry: false });
    const stored = await collect(
      client.iterateAssertions({ subject, predicate: FINDING_PREDICATE }),
    );
    const value = stored[0]!.value as Record<string, unknown>;
    await client.assert({
      subject,
      predicate: FINDING_PREDICATE,
      value: 'not a finding',
      agent_id: 'x',
    });
    // The right value under an agent id that is not its scan's.
    await client.assert({ subject, predicate: FINDING_PREDICATE, value, agent_id: 'someone-else' });
    // The same scan's assertion stored a second time.
    await client.assert({
      subject,
      predicate: FINDING_PREDICATE,
      value,
      agent_id: scanAgentId(scanId),
    });
    await client.close();
    const seen = await collect(
      readScanHistory({ config, project: 'history-foreign', fingerprint: finding(0).fingerprint }),
    );
    expect(seen.map((e) => e.scanId)).toEqual([scanId]);
  });

  it('ends with no entries for a finding never stored', async () => {
    const config = configFor(emu(), await tempDir());
    expect(
      await collect(readScanHistory({ config, project: 'history-none', fingerprint: 'nope' })),
    ).toEqual([]);
  });

  it('fails a 401 with a HostedAuthError naming the env var, never the key', async () => {
    const apiKey = generateApiKey();
    const config = createHostedConfig({
      url: emu().url,
      apiKey,
      apiKeyEnv: 'PAYMENTS_STEMEDB_KEY',
      spoolDir: await tempDir(),
    });
    const error = await collect(readScanHistory({ config, project: 'history-one' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostedAuthError);
    expect((error as HostedAuthError).status).toBe(401);
    expect((error as Error).message).toMatch(/PAYMENTS_STEMEDB_KEY.*stemedb-admin onboard/);
    expect(leakedPieces(allRenderings(error), apiKey)).toEqual([]);
  });

  it.each([
    { given: { project: 'Not A Project' }, want: /project must be a project name/ },
    { given: { project: 'ok', fingerprint: '' }, want: /fingerprint/ },
    { given: { project: 'ok', limit: 3 }, want: /unknown option "limit"/ },
  ])('refuses bad options: $given', async ({ given, want }) => {
    const config = configFor(emu(), await tempDir());
    const error = await collect(
      readScanHistory({ config, ...(given as { project: string }) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AphoriaOptionsError);
    expect((error as Error).message).toMatch(want);
    expect(leakedPieces((error as Error).message, config.apiKey)).toEqual([]);
  });
});
