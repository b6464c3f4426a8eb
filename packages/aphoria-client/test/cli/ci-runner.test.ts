/**
 * CI runners (issue 21, path 10): an ephemeral runner's spool dies with its VM, so with `CI`
 * set a run that leaves anything spooled says so on one stderr line, naming the directory and
 * the two ways not to lose it; and `status` warns when the spool sits in a git work tree
 * without being ignored (asked of a real `git init` repository). The commands' run functions
 * are called in process with their output captured; StemeDB is the emulator over loopback.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { runFlush } from '../../src/cli/run-flush.js';
import { runPersist } from '../../src/cli/run-persist.js';
import { runStatus } from '../../src/cli/run-status.js';
import { makeScan, tempDir, useEmulator } from '../support/persist.js';

const emu = useEmulator();

/** A 503 outage whose Retry-After of 0 s makes the SDK's three retries instant. */
const outage = () => emu().faults.outage({ ms: 600_000, mode: 503, retryAfterSeconds: 0 });

/** A project at `root` (made if missing) wired to the emulator, with a scan file. */
async function projectAt(root: string, seed: string): Promise<string> {
  await mkdir(join(root, '.aphoria'), { recursive: true });
  await writeFile(join(root, '.aphoria', 'config.toml'), `[hosted]\nurl = "${emu().url}"\n`);
  await writeFile(join(root, 'scan.json'), JSON.stringify(makeScan(3, seed)));
  return root;
}

/** An Io that keeps what is written; `env` on top of the key. */
function captured(cwd: string, env: Record<string, string | undefined>) {
  const out = { stdout: '', stderr: '' };
  const io: Io = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    env: { STEMEDB_API_KEY: emu().rootApiKey, NO_COLOR: '1', ...env },
    cwd,
    debug: false,
  };
  return { io, out };
}

const ciLines = (stderr: string) =>
  stderr.split('\n').filter((l) => l.startsWith('aphoria-hosted: warning: CI: '));

describe('with CI set, a run that leaves anything spooled warns that the runner takes it along', () => {
  it('persist spooled on a CI runner: one line naming the spool, a cache of it, and a later flush', async () => {
    const root = await projectAt(await tempDir('aphoria-ci-'), 'ci-persist');
    outage();
    const { io, out } = captured(root, { CI: 'true' });
    await runPersist('scan.json', {}, io);
    const spoolDir = join(root, '.aphoria', 'spool');
    expect(ciLines(out.stderr)).toEqual([
      `aphoria-hosted: warning: CI: 4 assertion(s) are spooled in ${spoolDir}, which is lost with this runner unless you cache that directory across runs (e.g. actions/cache of .aphoria/spool/) or run \`aphoria-hosted flush\` in a later job that has it`,
    ]);
    expect(out.stdout).toMatch(/spooled in /);
  });

  it('the same run off CI, or with CI=false or 0, says nothing of it', async () => {
    for (const CI of [undefined, '', 'false', '0']) {
      const root = await projectAt(await tempDir('aphoria-ci-'), `ci-off-${CI}`);
      outage();
      const { io, out } = captured(root, { CI });
      await runPersist('scan.json', {}, io);
      expect(out.stderr).toMatch(/warning: StemeDB is unreachable/);
      expect(ciLines(out.stderr)).toEqual([]);
    }
  });

  it('on CI, nothing spooled: no warning', async () => {
    const root = await projectAt(await tempDir('aphoria-ci-'), 'ci-sent');
    const { io, out } = captured(root, { CI: 'true' });
    await runPersist('scan.json', {}, io);
    expect(out.stderr).toBe('');
  });

  it('flush on CI warns while the spool stays, not once it is sent', async () => {
    const root = await projectAt(await tempDir('aphoria-ci-'), 'ci-flush');
    outage();
    await runPersist('scan.json', {}, captured(root, {}).io);
    const down = captured(root, { CI: '1' });
    await runFlush({}, down.io);
    expect(ciLines(down.out.stderr)).toHaveLength(1);
    expect(ciLines(down.out.stderr)[0]).toContain('4 assertion(s) are spooled in');
    emu().faults.clear();
    const up = captured(root, { CI: '1' });
    await runFlush({}, up.io);
    expect(up.out.stderr).toBe('');
  });

  it('--strict on CI (exit 4) warns too: the spool is still there', async () => {
    const root = await projectAt(await tempDir('aphoria-ci-'), 'ci-strict');
    outage();
    const { io, out } = captured(root, { CI: 'true' });
    await expect(runPersist('scan.json', { strict: true }, io)).rejects.toMatchObject({
      code: 'persist_incomplete',
    });
    expect(ciLines(out.stderr)).toHaveLength(1);
  });
});

describe('status warns when the spool sits in a git work tree without being ignored', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-C', cwd, ...args], { stdio: 'pipe' });

  async function repo(): Promise<string> {
    const root = await tempDir('aphoria-git-');
    git(root, 'init', '-q');
    return root;
  }

  const gitLines = (stderr: string) =>
    stderr.split('\n').filter((l) => l.includes('git work tree'));

  it('a project at the root of a repository, the spool not ignored: one warning, in --json too', async () => {
    const root = await projectAt(await repo(), 'git-bare');
    const { io, out } = captured(root, {});
    await runStatus({ json: true }, io);
    const report = JSON.parse(out.stdout);
    const spoolDir = join(root, '.aphoria', 'spool');
    const want = `the spool ${spoolDir} is inside the git work tree ${root} and not ignored: its journals (the findings of spooled scans) could be committed; add \`.aphoria/spool/\` to .gitignore`;
    expect(report.warnings).toEqual([want]);
    expect(gitLines(out.stderr)).toEqual([`aphoria-hosted: warning: ${want}`]);
  });

  it('a project in a subdirectory, ignored by a nested .gitignore: no warning', async () => {
    const top = await repo();
    const root = await projectAt(join(top, 'services', 'api'), 'git-nested');
    await writeFile(join(root, '.gitignore'), '.aphoria/spool/\n');
    const { io, out } = captured(root, {});
    await runStatus({}, io);
    expect(gitLines(out.stderr)).toEqual([]);
    // The near miss: another directory ignored, the spool not.
    await writeFile(join(root, '.gitignore'), '.aphoria/cache/\n');
    const again = captured(root, {});
    await runStatus({}, again.io);
    expect(gitLines(again.out.stderr)).toEqual([
      expect.stringContaining('add `services/api/.aphoria/spool/` to .gitignore'),
    ]);
  });

  it('the whole .aphoria ignored (the spool directory not yet made): no warning', async () => {
    const root = await projectAt(await repo(), 'git-aphoria');
    await writeFile(join(root, '.gitignore'), '/.aphoria/\n');
    const { io, out } = captured(root, {});
    await runStatus({ json: true }, io);
    expect(JSON.parse(out.stdout).warnings).toEqual([]);
    expect(out.stderr).toBe('');
  });

  it('outside any git work tree: no warning', async () => {
    const root = await projectAt(await tempDir('aphoria-nogit-'), 'git-none');
    const { io, out } = captured(root, {});
    await runStatus({ json: true }, io);
    expect(JSON.parse(out.stdout).warnings).toEqual([]);
  });
});
