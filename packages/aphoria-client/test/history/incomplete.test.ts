/**
 * readScanHistory and a half-persisted scan (issue 21, path 11): a CI retry re-runs the
 * scanner, which gives a new scan id, so the first attempt's findings, stored without a
 * summary, would show beside the retry's as a second scan of the commit. By default they are
 * left out; `includeIncomplete: true` brings them back, marked.
 */
import { StemeClient } from '@stemedb/sdk';
import { describe, expect, it } from 'vitest';
import {
  AphoriaOptionsError,
  computeScanId,
  persistScan,
  readScanHistory,
  type Scan,
  scanToAssertions,
} from '../../src/index.js';
import { finding, validScan } from '../fixtures/scans.js';
import { configFor, tempDir, useEmulator } from '../support/persist.js';

// Started once, its faults and temp dirs cleared after each test.
const emu = useEmulator();

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// The same commit scanned twice (a CI retry): other timestamps, so another scan id.
function attempt(project: string, startedAt: string): Scan {
  return validScan(0, {
    project,
    commit: 'a'.repeat(40),
    started_at: startedAt,
    finished_at: startedAt.replace(':00Z', ':09Z'),
    findings: [finding(0), finding(1)],
  });
}

// What a first attempt killed before its summary leaves on the server: its findings only.
async function halfPersist(scan: Scan): Promise<void> {
  const client = new StemeClient({ baseUrl: emu().url, apiKey: emu().rootApiKey, retry: false });
  try {
    for (const a of scanToAssertions(scan)) {
      if (a.findingIndex !== undefined) await client.assert(a.input);
    }
  } finally {
    await client.close();
  }
}

describe('readScanHistory leaves out scans without a summary', () => {
  it("a half-persisted attempt never shows as a second scan of the commit in a finding's history", async () => {
    const config = configFor(emu(), await tempDir());
    const first = attempt('history-retry', '2026-12-01T10:00:00Z');
    const retry = attempt('history-retry', '2026-12-01T10:05:00Z');
    expect(computeScanId(first)).not.toBe(computeScanId(retry));
    await halfPersist(first);
    expect((await persistScan(retry, { config, onWarning: () => {} })).complete).toBe(true);

    const fingerprint = finding(0).fingerprint;
    const seen = await collect(readScanHistory({ config, project: 'history-retry', fingerprint }));
    expect(seen.map((e) => [e.scanId, e.incomplete])).toEqual([[computeScanId(retry), false]]);

    const all = await collect(
      readScanHistory({ config, project: 'history-retry', fingerprint, includeIncomplete: true }),
    );
    expect(all.map((e) => [e.scanId, e.incomplete])).toEqual([
      [computeScanId(retry), false],
      [computeScanId(first), true],
    ]);
    // A project's scans come from their summaries: the first attempt never was one.
    const scans = await collect(
      readScanHistory({ config, project: 'history-retry', includeIncomplete: true }),
    );
    expect(scans.map((e) => [e.scanId, e.incomplete])).toEqual([[computeScanId(retry), false]]);
  });

  it('a summary stored by another writer under the scan id does not make a scan complete', async () => {
    const config = configFor(emu(), await tempDir());
    const first = attempt('history-forged', '2026-12-01T11:00:00Z');
    await halfPersist(first);
    const client = new StemeClient({ baseUrl: emu().url, apiKey: emu().rootApiKey, retry: false });
    const summary = [...scanToAssertions(first)].at(-1)!.input;
    // The right agent id, but a value that is not a summary of this scan.
    await client.assert({ ...summary, value: { schema: 'something/else' } });
    await client.close();
    const seen = await collect(
      readScanHistory({
        config,
        project: 'history-forged',
        fingerprint: finding(0).fingerprint,
        includeIncomplete: true,
      }),
    );
    expect(seen.map((e) => e.incomplete)).toEqual([true]);
  });

  it('includeIncomplete must be a boolean', async () => {
    const config = configFor(emu(), await tempDir());
    const error = await collect(
      readScanHistory({
        config,
        project: 'history-retry',
        includeIncomplete: 'yes' as unknown as boolean,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AphoriaOptionsError);
    expect((error as AphoriaOptionsError).field).toBe('includeIncomplete');
  });
});
