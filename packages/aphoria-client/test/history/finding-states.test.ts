/**
 * Findings across scans against the emulator: three complete scans of one branch, a scan of
 * another branch and a persist cut off half-way (no summary), then each finding of the latest
 * scan marked new, open or reintroduced and each of the previous scan's missing ones fixed.
 */
import { describe, expect, it } from 'vitest';
import {
  type Finding,
  type FindingStateEntry,
  findingStates,
  persistScan,
  readScanHistory,
  type Scan,
} from '../../src/index.js';
import { configFor, INSTANT_RETRY, makeScan, tempDir, useEmulator } from '../support/persist.js';

const emu = useEmulator();

/** A scan of `branch` finishing at minute `minute`, with the findings named by letter. */
function scanWith(project: string, branch: string, minute: number, letters: string): Scan {
  const base = makeScan(0, 'states');
  const findings: Finding[] = [...letters].map((letter, i) => ({
    rule: 'rule-x',
    severity: 'medium',
    file: `src/${letter}.ts`,
    line: i + 1,
    end_line: i + 1,
    message: `finding ${letter}`,
    fingerprint: `fp-${letter}`,
  }));
  const at = `2026-12-01T10:${String(minute).padStart(2, '0')}:00Z`;
  return { ...base, project, branch, started_at: at, finished_at: at, findings };
}

/** The branch's states, with the scan ids every entry carries (they must all agree). */
async function statesOf(
  config: Parameters<typeof readScanHistory>[0]['config'],
  project: string,
  branch: string,
): Promise<{ scanId?: string; previousScanId?: string; findings: FindingStateEntry[] }> {
  const findings: FindingStateEntry[] = [];
  for await (const entry of readScanHistory({ config, project, branch })) findings.push(entry);
  expect(new Set(findings.map((f) => `${f.scanId} ${f.previousScanId}`)).size).toBeLessThanOrEqual(
    1,
  );
  return { scanId: findings[0]?.scanId, previousScanId: findings[0]?.previousScanId, findings };
}

describe('readScanHistory({ branch })', () => {
  it('marks new, open, reintroduced and fixed against the previous complete scan of the branch', async () => {
    const project = 'states-a';
    const config = configFor(emu(), await tempDir());
    await persistScan(scanWith(project, 'main', 1, 'ABC'), { config });
    await persistScan(scanWith(project, 'main', 3, 'ABDE'), { config });
    await persistScan(scanWith(project, 'other', 4, 'XYZ'), { config });
    // Persisted last, finished before the one above (a CI retry of an older commit): previous.
    await persistScan(scanWith(project, 'main', 2, 'ACD'), { config });
    // A later persist of main cut off before its summary: not a complete scan, never "latest".
    const cut = await persistScan(scanWith(project, 'main', 5, 'Q'), {
      config: configFor(emu(), await tempDir()),
      concurrency: 1,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
      onProgress: (p) => {
        if (p.phase === 'persist' && p.sent === 1) emu().faults.outage({ ms: 60_000, mode: 503 });
      },
    });
    expect(cut).toMatchObject({ sent: 1, spooled: 1, complete: false });
    emu().faults.clear();

    const states = await statesOf(config, project, 'main');
    const byState = Object.fromEntries(
      ['new', 'open', 'fixed', 'reintroduced'].map((s) => [
        s,
        states.findings
          .filter((f) => f.state === s)
          .map((f) => f.fingerprint)
          .sort(),
      ]),
    );
    expect(byState).toEqual({
      new: ['fp-E'],
      open: ['fp-A', 'fp-D'],
      fixed: ['fp-C'],
      reintroduced: ['fp-B'],
    });
    expect(states.previousScanId).toBeDefined();
    expect(states.previousScanId).not.toBe(states.scanId);
  });

  it('says every finding is new on a branch scanned once, and nothing on an unscanned branch', async () => {
    const project = 'states-b';
    const config = configFor(emu(), await tempDir());
    await persistScan(scanWith(project, 'main', 1, 'AB'), { config });
    const once = await statesOf(config, project, 'main');
    expect(once.findings.map((f) => f.state)).toEqual(['new', 'new']);
    expect(once.previousScanId).toBeUndefined();
    expect((await statesOf(config, project, 'nope')).findings).toEqual([]);
  });
});

describe('findingStates', () => {
  const f = (fingerprint: string) =>
    ({ fingerprint }) as Parameters<typeof findingStates>[0][number];
  it('is reintroduced only when an older scan had it, not merely a missing previous one', () => {
    expect(findingStates([f('a')], [], new Set(['a'])).map((e) => e.state)).toEqual([
      'reintroduced',
    ]);
    expect(findingStates([f('a')], undefined, new Set()).map((e) => e.state)).toEqual(['new']);
    expect(findingStates([], [f('a')], new Set()).map((e) => e.state)).toEqual(['fixed']);
  });
});
