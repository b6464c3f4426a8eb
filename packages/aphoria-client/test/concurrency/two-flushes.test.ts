/**
 * Two `flushSpool` processes at once over one spool (a CI matrix in one checkout, §3): each
 * journal is sent by one of them only (its proper-lockfile lock), nothing is corrupted, nothing
 * is sent twice, and together they empty the spool.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { FlushResult } from '../../src/index.js';
import { startChild } from '../kill/support.js';
import { spoolWholeScan } from '../kill/support-spool.js';
import { configFor, readBack, tempDir, useEmulator } from '../support/persist.js';

const SCANS = 4;
const FINDINGS = 150;

const emu = useEmulator();

describe('two flushes at once over one spool', () => {
  it('send every journal once between them, and leave the spool empty and whole', async () => {
    const config = configFor(emu(), await tempDir());
    const scans = [];
    for (let i = 0; i < SCANS; i++) {
      scans.push(await spoolWholeScan(emu(), config, FINDINGS, `two-${i}`));
    }
    emu().faults.latency(4); // each flush takes long enough for the two to overlap
    const args = {
      mode: 'flush' as const,
      url: config.url,
      apiKey: config.apiKey,
      spoolDir: config.spoolDir,
      findings: 0,
      seed: '',
      concurrency: 4,
    };
    const children = [startChild(args), startChild(args)];
    const ends = await Promise.all(children.map((c) => c.exited));
    expect(ends).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    const results = children.map((c) => JSON.parse(c.stdout.replace(/^done /, '')) as FlushResult);
    const sum = (k: 'completed' | 'sent' | 'spooled' | 'alreadyPresent') =>
      results.reduce((s, r) => s + r[k], 0);
    // They overlapped (else this proves nothing): both sent, or one met the other's lock.
    const overlapped = results.every((r) => r.sent > 0) || results.some((r) => r.locked > 0);
    expect(overlapped, JSON.stringify(results.map((r) => [r.completed, r.locked]))).toBe(true);
    expect(sum('completed')).toBe(SCANS);
    expect(sum('sent')).toBe(SCANS * (FINDINGS + 1)); // none sent by both
    expect(sum('spooled')).toBe(0);
    expect(results.flatMap((r) => r.corrupt)).toEqual([]);
    for (const scan of scans) {
      expect(await readBack(emu(), scan)).toEqual({
        stored: FINDINGS + 1,
        missing: [],
        doubled: [],
        extra: [],
      });
    }
    expect(await readdir(config.spoolDir)).toEqual([]);
  });
});
