import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
/** Phase 2 runs when Prometheus and rclone are on PATH (CI installs them); else one line says so. */
const phase2 = ['prometheus', 'rclone'].every(
  (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0,
);
const examples = fileURLToPath(new URL('..', import.meta.url));

// The README's first command runs this (after `pnpm build`): the whole system, as a newcomer
// sees it. Run as a user runs it, through tsx, importing the built packages by name.
describe('examples/demo.ts', () => {
  it('shows every step of the system and ends with the summary, printing no key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemedb-demo-test-'));
    // The Node under test itself with tsx's loader (not npx, whose own warnings about the
    // environment pnpm sets would land on stderr).
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'demo.ts'], {
      cwd: examples,
      env: { ...process.env, STEMEDB_DEMO_DIR: dir, NO_COLOR: '1' },
      timeout: 120_000,
    }).catch((error: Error & { stdout?: string }) => {
      // The step tables are on stdout: without them a failed gate check says only its name.
      throw new Error(`${error.message}\n--- the demo's stdout ---\n${error.stdout ?? ''}`);
    });
    const steps = stdout.match(/^\d\. .+$/gm) ?? [];
    const later = [
      'Onboard two projects, persist a scan for each',
      'A deploy mid-scan, then a long outage',
      "The risk register's disaster: a fresh data volume",
      'Render and validate the Kubernetes bundle',
    ];
    expect(steps).toEqual(
      [
        'Bootstrap the root key, start StemeDB with it',
        'Provision 3 projects, then re-run',
        'Gate checks (Phase 1 with a pod restart, Phase 3)',
        ...(phase2 ? ['Gate Phase 2 (Prometheus alerts, the kill test, a backup)'] : []),
        ...later,
      ].map((name, i) => `${i + 1}. ${name}`),
    );
    // Phase 2: the alert fired on a real stop and resolved; or one line that it was skipped.
    if (phase2) expect(stdout).toMatch(/phase2 +kill-test +pass +firing .* after the stop/);
    else expect(stdout).toMatch(/^ {2}Gate Phase 2 skipped: not on PATH: /m);
    // 1-2: the root key, a converging provision.
    expect(stdout).toMatch(/generated stemedb-root-api-key \(hash [0-9a-f]{12}…\)/);
    expect(stdout).toContain('the server accepts the stored root key');
    expect(stdout).toMatch(
      /created 3, replaced 0, unchanged 0, revoked 0; re-run: created 0, replaced 0, unchanged 3, revoked 0/,
    );
    // 3: every gate check, both phases.
    expect(stdout).toMatch(/phase1 +key-after-restart +pass/);
    expect(stdout).toMatch(/phase3 +rate-limit +pass/);
    // 4-5: scans persisted; the deploy ridden out; the long outage spooled, flushed, read back.
    expect(stdout).toContain('api_key_env = "STEMEDB_API_KEY"');
    expect(stdout).toMatch(/payments-api: 151 assertions, sent 151, already there 0, spooled 0/);
    expect(stdout).toMatch(/checkout-web: 121 assertions, sent 0, already there 0, spooled 121/);
    expect(stdout).toContain('flush: sent 121, already there 0, left 0');
    expect(stdout).toContain('read back: all 121 assertions of the scan, each exactly once');
    // 6: the disaster seen by the gate, repaired by one provision run.
    expect(stdout).toMatch(/phase1 +key-after-restart +FAIL/);
    expect(stdout).toContain('gate: every check passes again');
    // 7-8: the bundle, and the summary.
    expect(stdout).toMatch(/16 objects, 0 errors/);
    expect(readdirSync(join(dir, 'out', 'k8s'))).toContain('kustomization.yaml');
    expect(stdout).toMatch(/^ {2}total +\d+\.\d$/m);
    // Nothing secret: no key in the output, and nothing but the spool warning on stderr.
    expect(`${stdout}${stderr}`).not.toMatch(/steme_live_[0-9a-f]{8}/);
    expect(stderr).toBe('');
    // The demo itself takes ~20-30 s, so the 30 s default leaves no room on a loaded machine:
    // it timed out there on Node 26. The child keeps its own 120 s limit.
  }, 130_000);
});
