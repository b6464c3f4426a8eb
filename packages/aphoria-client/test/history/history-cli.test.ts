/**
 * `aphoria-hosted history --branch <b>` spawned as a user runs it, against the emulator: the
 * states of the branch's latest scan against its previous one, as text and as JSON.
 */
import { describe, expect, it } from 'vitest';
import { persistScan, type Scan } from '../../src/index.js';
import { cleanEnv, cli, ensureBuilt, hasStack, project } from '../cli/harness.js';
import { configFor, makeScan, tempDir, useEmulator } from '../support/persist.js';

const emu = useEmulator();
ensureBuilt();

function scanWith(minute: number, letters: string): Scan {
  const at = `2026-12-01T11:${String(minute).padStart(2, '0')}:00Z`;
  return {
    ...makeScan(0, 'hist-cli'),
    project: 'hist-cli',
    branch: 'main',
    started_at: at,
    finished_at: at,
    findings: [...letters].map((letter, i) => ({
      rule: 'rule-y',
      severity: 'low' as const,
      file: `lib/${letter}.ts`,
      line: i + 1,
      end_line: i + 1,
      message: `finding ${letter}`,
      fingerprint: `fp-${letter}`,
    })),
  };
}

describe('aphoria-hosted history', () => {
  it('prints each finding of the branch as new, open or fixed; --json for scripts', async () => {
    const config = configFor(emu(), await tempDir());
    await persistScan(scanWith(1, 'AB'), { config });
    await persistScan(scanWith(2, 'BC'), { config });
    const root = await project(`url = "${emu().url}"\nproject = "hist-cli"`);
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });

    const text = await cli(['history', '--branch', 'main'], root, env);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/: 1 new, 0 reintroduced, 1 open, 1 fixed\n/);
    expect(text.stdout).toMatch(/^new +low +lib\/C\.ts:2 {2}rule-y {2}finding C$/m);
    expect(text.stdout).toMatch(/^fixed +low +lib\/A\.ts:1 /m);

    const json = await cli(['history', '--json', '--branch', 'main'], root, env);
    const states = JSON.parse(json.stdout) as {
      findings: { fingerprint: string; state: string }[];
    };
    expect(Object.fromEntries(states.findings.map((f) => [f.fingerprint, f.state]))).toEqual({
      'fp-A': 'fixed',
      'fp-B': 'open',
      'fp-C': 'new',
    });
  });

  it('exits 2 without --branch, on one line', async () => {
    const root = await project(`url = "${emu().url}"`);
    const result = await cli(['history'], root, cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey }));
    expect(result.code).toBe(2);
    expect(hasStack(result.stderr)).toBe(false);
    expect(result.stderr).toContain('--branch');
  });
});
