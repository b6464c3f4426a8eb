/**
 * persistScanFile (the CLI's `persist scan.json`: the file read as a stream) against the
 * emulator over loopback: it stores what persistScan of the same scan stores, under the same
 * scan id, exactly once; a CI retry of the file after persistScan sends nothing; a bad file
 * fails as readScanFile does, before anything is spooled or sent.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeScanId, persistScan, persistScanFile, readScanFile } from '../../src/index.js';
import {
  configFor,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';

const emu = useEmulator();

async function scanFileOf(text: string): Promise<string> {
  const path = join(await tempDir('aphoria-scan-'), 'scan.json');
  await writeFile(path, text);
  return path;
}

describe('persistScanFile', () => {
  it('stores every assertion of the file once, under the scan id of the scan it holds', async () => {
    const scan = makeScan(1200, 'file'); // several 256 KiB chunks
    const path = await scanFileOf(JSON.stringify(scan, null, 2));
    const config = configFor(emu(), await tempDir());
    const w = warnings();
    const result = await persistScanFile(path, { config, concurrency: 4, onWarning: w.onWarning });
    expect(result).toMatchObject({
      scanId: computeScanId(scan),
      total: 1201,
      sent: 1201,
      alreadyPresent: 0,
      spooled: 0,
      complete: true,
    });
    expect(w.list).toEqual([]);
    expect(await readBack(emu(), scan)).toEqual({
      stored: 1201,
      missing: [],
      doubled: [],
      extra: [],
    });
    expect((await readdir(config.spoolDir)).filter((f) => f.endsWith('.journal'))).toEqual([]);
  });

  it('recognises a scan persisted from memory before (a CI retry): nothing is sent twice', async () => {
    const scan = makeScan(20, 'file-retry');
    await persistScan(scan, { config: configFor(emu(), await tempDir()) });
    const path = await scanFileOf(JSON.stringify(scan));
    const again = await persistScanFile(path, { config: configFor(emu(), await tempDir()) });
    expect(again).toMatchObject({ sent: 0, alreadyPresent: 21, complete: true });
    expect((await readBack(emu(), scan)).doubled).toEqual([]);
  });

  it.each([
    [
      'an invalid finding',
      (() => {
        const scan = makeScan(5, 'bad');
        (scan.findings[3] as { line: unknown }).line = -1;
        return JSON.stringify(scan);
      })(),
    ],
    ['not JSON', '{"schema": "aphoria.scan/v1",\n  "findings": [}'],
  ])('fails as readScanFile does for %s, sending and spooling nothing', async (_, text) => {
    const path = await scanFileOf(text);
    const want = await readScanFile(path).catch((e: Error) => e);
    expect(want).toBeInstanceOf(Error);
    const config = configFor(emu(), await tempDir());
    const before = emu().requests().length;
    await expect(persistScanFile(path, { config })).rejects.toThrow((want as Error).message);
    expect(emu().requests().length).toBe(before);
    expect(await readdir(config.spoolDir).catch(() => [])).toEqual([]);
  });
});
