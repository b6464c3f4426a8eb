/**
 * `status` and `spoolStatus` list a journal of an unknown format version on its own ("written
 * by aphoria-client X.Y"), never as a scan waiting to be sent: this version cannot send it, and
 * leaves it untouched for the version that wrote it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { renderStatus, statusReport } from '../../src/cli/run-status.js';
import { createHostedConfig } from '../../src/config.js';
import { spoolStatus } from '../../src/index.js';
import { encodeRecord, type JournalRecord } from '../../src/spool/record.js';
import { cleanupDirs, tempDir } from '../support/persist.js';

afterEach(cleanupDirs);

const KEY = `steme_live_${'ab'.repeat(24)}`;
const FOREIGN = 'cd'.repeat(16);
const OURS = 'ef'.repeat(16);

const headerOf = (scan: string, v: number, by: string): JournalRecord => ({
  t: 'h',
  v,
  scan,
  agent: `aphoria-scan/${scan}`,
  project: 'payments-api',
  at: '2026-12-01T10:00:00.000Z',
  total: 1,
  by,
});
const assertion = (scan: string): JournalRecord => ({
  t: 'a',
  i: 0,
  in: { subject: 's/0', predicate: 'p', value: 0, agent_id: `aphoria-scan/${scan}` },
});

/** A spool holding one journal of format 3 (a later version's) and one of ours, unsent. */
async function spoolWithForeign(root: string): Promise<{ spoolDir: string; foreign: string }> {
  const spoolDir = join(root, '.aphoria', 'spool');
  await mkdir(spoolDir, { recursive: true });
  const foreign = join(spoolDir, `${FOREIGN}.journal`);
  await writeFile(
    foreign,
    [headerOf(FOREIGN, 3, 'aphoria-client 0.9.1'), assertion(FOREIGN)].map(encodeRecord).join(''),
  );
  await writeFile(
    join(spoolDir, `${OURS}.journal`),
    [
      headerOf(OURS, 2, 'aphoria-client 0.1.0'),
      assertion(OURS),
      { t: 's', n: 1, total: 1, rej: 0 } as JournalRecord,
    ]
      .map(encodeRecord)
      .join(''),
  );
  return { spoolDir, foreign };
}

describe('a journal of an unknown format version', () => {
  it('spoolStatus lists it under `foreign` with its writer, not among the scans waiting', async () => {
    const root = await tempDir('aphoria-foreign-');
    const { spoolDir, foreign } = await spoolWithForeign(root);
    const before = await readFile(foreign, 'utf8');
    const config = createHostedConfig({ url: 'http://127.0.0.1:9', apiKey: KEY, spoolDir });
    const status = await spoolStatus({ config });
    expect(status.foreign).toEqual([
      { scanId: FOREIGN, path: foreign, version: 3, by: 'aphoria-client 0.9.1' },
    ]);
    expect(status.entries.map((e) => e.scanId)).toEqual([OURS]);
    expect(status).toMatchObject({ scans: 1, records: 1 });
    expect(await readFile(foreign, 'utf8')).toBe(before); // untouched
  });

  it('status prints it on a line of its own, naming the version that wrote it', async () => {
    const root = await tempDir('aphoria-foreign-');
    await spoolWithForeign(root);
    await writeFile(
      join(root, '.aphoria', 'config.toml'),
      '[hosted]\nurl = "http://127.0.0.1:9"\n',
    );
    const io: Io = {
      stdout: { write: () => {} },
      stderr: { write: () => {} },
      env: { STEMEDB_API_KEY: KEY, NO_COLOR: '1' },
      cwd: root,
      debug: false,
    };
    const report = await statusReport(io);
    const text = renderStatus(report, io);
    expect(text).toMatch(/1 scan\(s\), 1 assertion\(s\) waiting/);
    expect(text).toMatch(
      new RegExp(
        `1 spool file\\(s\\) written by aphoria-client 0\\.9\\.1 \\(format 3\\).*${FOREIGN}`,
      ),
    );
    expect(text).not.toContain(KEY);
  });
});
