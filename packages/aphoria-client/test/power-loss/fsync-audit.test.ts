/**
 * The fsync audit (issue 21, "made a no-op one at a time, every fsync in the package must make a
 * test fail"). Generic, so that it survives a refactoring: the power-loss fs records each
 * fsync's call site (the first stack frame under src/); the audit runs each scenario once to
 * learn the sites it uses, then, for each site, sweeps the crash points again with that site's
 * fsyncs ignored. A site is noticed when some crash point that recovers exactly once with every
 * fsync loses or doubles a finding (or leaves the spool stuck) without that site's.
 *
 * The sweep starts at the site's first fsync and stops at the first crash point that notices
 * it, so a noticed site costs little; models `drop`, `holes` and `torn` (only a torn tail keeps
 * the start of a journal's unsynced appends, an `r` among them, while losing the end of a dead
 * letter: what the dead-letter file's own fsync prevents). Steps are sampled (see `sampled`).
 *
 * Sites this audit found unnoticed were removed as unnecessary, each for its reason (see the
 * comments where they were in src/spool/journal-write.ts and spool.ts): the directory fsync
 * after a journal's seal (its entry is durable since its first batch) and after a
 * compaction's rename (until then the old journal, whole, is what a cut leaves), the one after
 * deleting a finished journal (a cut brings it back, finished, and the next run deletes it),
 * the file fsync after cutting a torn tail and after sealing a cut journal, and the directory
 * fsync after moving a damaged journal aside (a cut brings the torn, unsealed or damaged
 * journal back, and the same repair is made again), and the fsync of each group of
 * acknowledgements (what a `k` says is on the server, which the next run reads back; what an
 * `r` says is in the dead-letter file, fsynced first, from which the next run finishes the
 * record; an `f` only counts attempts).
 */

import { mkdir } from 'node:fs/promises';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupDirs, configFor, tempDir } from '../support/persist.js';
import { PowerLossFs, type UnsyncedTail } from '../support/power-loss-fs.js';
import { crashPoint, type Scenario, seamsOf, type Verdict } from './harness.js';
import {
  flushDamagedSpool,
  persistDeadLetter,
  persistOutageFlush,
  persistSlowDisk,
  persistTwoBatches,
} from './scenarios.js';

const SCENARIOS: readonly Scenario[] = [
  persistOutageFlush,
  persistTwoBatches,
  flushDamagedSpool,
  persistSlowDisk,
  persistDeadLetter,
];
const TAILS: readonly UnsyncedTail[] = ['drop', 'holes', 'torn'];
// Every step with STEMEDB_POWER_LOSS_FULL=1; by default the three steps from a site's first
// fsync, then every third (a compaction's seal is noticed only in the three steps after its
// rename, some twenty steps after the site's first use).
const FULL = process.env.STEMEDB_POWER_LOSS_FULL === '1';
const sampled = (scenario: Scenario, step: number, from: number) =>
  FULL || scenario.auditEveryStep === true || step < from + 3 || (step - from) % 3 === 0;

// One emulator per scenario: the scenarios run at once (a crash point cuts its emulator's
// network, so two crash points never share one).
const emus: Emulator[] = [];
beforeAll(async () => {
  for (const s of SCENARIOS) emus.push(await startEmulator({ rateLimit: false, ...s.emulator }));
});
afterAll(async () => {
  await Promise.all(emus.map((e) => e.close()));
  await cleanupDirs();
});

/** Each fsync site a scenario uses, and the step of its first fsync. */
async function sitesOf(emu: Emulator, scenario: Scenario): Promise<Map<string, number>> {
  const scan = scenario.scan(`${scenario.name}-sites`);
  const config = configFor(emu, await tempDir('aphoria-audit-'));
  await mkdir(config.spoolDir, { recursive: true });
  const prepared = new PowerLossFs();
  await scenario.prepare?.(emu, scan, config, prepared);
  const fs = new PowerLossFs({}, prepared.disk());
  await scenario.run(emu, scan, config, seamsOf(fs));
  const first = new Map<string, number>();
  for (const site of fs.syncSites.keys()) {
    first.set(site, fs.log.findIndex((line) => line.endsWith(`(${site})`)) + 1);
  }
  return first;
}

interface Notice {
  scenario: string;
  tail: UnsyncedTail;
  step: number;
  verdict: Verdict;
}

interface Audit {
  sites: Map<string, string[]>; // site -> the scenarios that use it
  noticed: Map<string, Notice>;
}

// The sites one scenario uses, and those a crash point of it notices.
// `noticed` is shared by the scenarios, which run at once: a site one of them noticed is not
// swept further by the others.
async function auditScenario(emu: Emulator, scenario: Scenario, noticed: Map<string, Notice>) {
  const used = await sitesOf(emu, scenario);
  for (const tail of TAILS) {
    // The crash points with every fsync, each run once and only where a site's would notice it.
    const baseline = new Map<number, Promise<Verdict>>();
    const base = (step: number) => {
      if (!baseline.has(step)) baseline.set(step, crashPoint(emu, scenario, step, tail));
      return baseline.get(step) as Promise<Verdict>;
    };
    for (const [site, from] of used) {
      if (noticed.has(site)) continue;
      for (let step = Math.max(1, from); !noticed.has(site); step += 1) {
        if (!sampled(scenario, step, from)) continue;
        const verdict = await crashPoint(emu, scenario, step, tail, {
          ignoreSyncSites: new Set([site]),
        });
        // The scenario ends before this step. Judged on the run without the site, not on a
        // baseline run: how acks fall into groups (steps) varies from run to run.
        if (!verdict.crashed) break;
        if (verdict.ok) continue;
        const known = await base(step);
        if (known.crashed && !known.ok) continue; // a known defect already fails here
        noticed.set(site, { scenario: scenario.name, tail, step, verdict });
        break;
      }
    }
  }
  return { used };
}

async function audit(): Promise<Audit> {
  const noticed = new Map<string, Notice>();
  const parts = await Promise.all(
    SCENARIOS.map((s, i) => auditScenario(emus[i] as Emulator, s, noticed)),
  );
  const sites = new Map<string, string[]>();
  parts.forEach(({ used }, i) => {
    for (const site of used.keys()) {
      sites.set(site, [...(sites.get(site) ?? []), SCENARIOS[i]?.name ?? '?']);
    }
  });
  return { sites, noticed };
}

describe('the fsync audit: each fsync site made a no-op alone', { timeout: 600_000 }, () => {
  let result: Promise<Audit> | undefined;
  const audited = () => {
    result ??= audit();
    return result;
  };

  it('the scenarios use every fsync site: the journal batches and seal, the dead letters', async () => {
    const { sites } = await audited();
    const names = [...sites.keys()].join('\n');
    expect(names).not.toContain('outside src');
    const fns = [...sites.keys()].map((site) => /\(([^)]+)\)$/.exec(site)?.[1]).sort();
    expect(fns, names).toEqual([
      'DeadLetterFile.#append', // a dead letter
      'DeadLetterFile.#append', // the file's directory entry, the first time
      'createJournal', // before the seal
      'createJournal', // the seal
      'write', // a first batch
      'write', // its directory entry
    ]);
  });

  it('removing the fsync of the records before a seal, or of a first batch, loses findings', async () => {
    const { noticed } = await audited();
    const lines = [...noticed].map(
      ([site, n]) =>
        `${site}: ${n.scenario} step ${n.step} (${n.tail}), ${n.verdict.missing} missing, ${n.verdict.doubled} doubled, left ${JSON.stringify(n.verdict.left)}`,
    );
    expect(
      [...noticed.keys()].filter((site) => site.includes('(createJournal)')).length,
      lines.join('\n'),
    ).toBeGreaterThanOrEqual(2); // before the seal, and the seal (of a compacted journal)
    expect(
      [...noticed.keys()].filter((site) => site.includes('(write)')).length,
      lines.join('\n'),
    ).toBe(2); // a first batch: the file, then its directory entry
  });

  it('removing either fsync of a dead letter loses the refused finding (the journal says it is finished)', async () => {
    const { noticed } = await audited();
    const dead = [...noticed].filter(([site]) => site.includes('(DeadLetterFile.#append)'));
    expect(dead.map(([, n]) => n.scenario)).toEqual([
      persistDeadLetter.name,
      persistDeadLetter.name,
    ]);
    for (const [site, n] of dead) expect(n.verdict.deadLetters, site).toBe(0);
  });

  it('every fsync site is noticed by a power-loss crash point', async () => {
    const { sites, noticed } = await audited();
    const unnoticed = [...sites.keys()].filter((site) => !noticed.has(site));
    expect(unnoticed).toEqual([]);
  });
});
