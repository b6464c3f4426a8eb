/**
 * Every built CLI and every package entry point, run on the Node that runs the suite (CI runs it
 * on Node 22, 24 and 26), must print no warning of Node's own: a deprecated builtin or an
 * experimental feature reached by a new dependency shows up here as `(node:PID) …` in stderr,
 * in front of every user, before it shows up anywhere else.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, workspacePackages } from './support/packages.js';
import { nodeWarnings, type RunOptions, runNode } from './support/spawn.js';

const work = mkdtempSync(join(tmpdir(), 'stemedb-node-warnings-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A project whose config points at a port nothing listens on: status still exits 0.
const APHORIA_PROJECT = join(work, 'aphoria-project');
mkdirSync(join(APHORIA_PROJECT, '.aphoria'), { recursive: true });
writeFileSync(
  join(APHORIA_PROJECT, '.aphoria', 'config.toml'),
  '[hosted]\nurl = "http://127.0.0.1:9"\n',
);

const MANIFESTS_CONFIG = join(work, 'stemedb.yaml');
writeFileSync(MANIFESTS_CONFIG, 'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: "0.9.0"\n');

/** One real command per CLI: what a user runs first, and how it must end. */
interface RealCommand {
  readonly args: readonly string[];
  readonly options?: RunOptions;
  /** What stdout must show, so that the run did real work rather than fail early. */
  readonly stdout: RegExp;
}

const REAL_COMMANDS: Readonly<Record<string, RealCommand>> = {
  // A server: started on a free port, stopped by SIGTERM once it prints its URL (exit 0).
  'stemedb-emulator': {
    args: ['--port', '0'],
    options: { stopWhenStdout: /http:\/\/127\.0\.0\.1:\d+/ },
    stdout: /http:\/\/127\.0\.0\.1:\d+/,
  },
  // Loads the store code and writes a root key into a file store (no server needed).
  'stemedb-admin': {
    args: ['bootstrap', '--store', `file:${join(work, 'secrets.json')}`, '--json'],
    stdout: /"created": true/,
  },
  // Loads the config, the SDK and the spool; reports an unreachable server without failing.
  'aphoria-hosted': {
    args: ['status', '--json', '--cwd', APHORIA_PROJECT],
    options: {
      env: {
        ...process.env,
        NO_COLOR: '1',
        STEMEDB_URL: '',
        STEMEDB_API_KEY: `steme_live_${'0'.repeat(48)}`,
      },
    },
    stdout: /"reachable": false/,
  },
  // Loads every validator of the kinds it emits (the DEP0040 path of issue 9).
  'stemedb-manifests': { args: ['validate', '--config', MANIFESTS_CONFIG], stdout: /\S/ },
};

/** One call into each package's entry point, as a user's first program makes it. */
const ENTRY_POINT_CALLS: Readonly<Record<string, string>> = {
  '@stemedb/sdk': 'if (!m.isApiKey(m.generateApiKey())) throw new Error("bad key");',
  '@stemedb/admin': `
    const store = m.createMemorySecretStore();
    await store.writeVersion('stemedb-key-demo', 'value');
    if ((await store.readLatest('stemedb-key-demo')) !== 'value') throw new Error('not stored');`,
  '@stemedb/aphoria-client': `
    const scan = m.parseScan({ schema: 'aphoria.scan/v1', project: 'demo', commit: 'a'.repeat(40),
      branch: 'main', scanner: { name: 'aphoria', version: '0.9.0' },
      started_at: '2026-12-01T10:00:00Z', finished_at: '2026-12-01T10:00:09Z', findings: [] });
    if ([...m.scanToAssertions(scan)].length !== 1) throw new Error('no scan summary');`,
  '@stemedb/emulator': 'const e = await m.startEmulator(); await e.close();',
  '@stemedb/manifests': `
    const bundle = m.buildBundle({ ingress: { host: 'stemedb.threesix.ai' }, image: { tag: '0.9.0' } });
    const report = await m.validate(bundle);
    if (report.findings.length !== 0) throw new Error('findings: ' + report.findings.length);`,
};

const packages = workspacePackages();
const clis = packages.flatMap((pkg) =>
  Object.entries(pkg.bins).map(([name, launcher]) => ({ name, launcher })),
);

describe('the tables cover the workspace', () => {
  it('has a real command for every CLI a package declares', () => {
    expect(Object.keys(REAL_COMMANDS).sort()).toEqual(clis.map((cli) => cli.name).sort());
  });

  it('has an entry-point call for every published package', () => {
    expect(Object.keys(ENTRY_POINT_CALLS).sort()).toEqual(packages.map((pkg) => pkg.name).sort());
  });
});

describe.each(clis)(`CLI $name on Node ${process.version}`, ({ name, launcher }) => {
  it('prints --help, exit 0, without a Node warning', async () => {
    const result = await runNode([launcher, '--help']);
    expect(nodeWarnings(result.stderr)).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage:/);
  });

  it('runs its real command without a Node warning', async () => {
    const command = REAL_COMMANDS[name];
    if (command === undefined) throw new Error(`no real command for ${name} in REAL_COMMANDS`);
    const result = await runNode([launcher, ...command.args], command.options);
    expect(nodeWarnings(result.stderr)).toEqual([]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(command.stdout);
  });
});

describe.each(packages)(`entry points of $name on Node ${process.version}`, ({ name }) => {
  const call = () => {
    const body = ENTRY_POINT_CALLS[name];
    if (body === undefined) throw new Error(`no entry-point call for ${name}`);
    return body;
  };
  // Resolved from the system-tests package, which depends on every package like a user would.
  const cwd = join(REPO_ROOT, 'test');

  it('imports as an ES module and runs without a Node warning', async () => {
    const script = `const m = await import(${JSON.stringify(name)});\n${call()}\nconsole.log('ok');`;
    const result = await runNode(['--input-type=module', '-e', script], { cwd });
    expect(nodeWarnings(result.stderr)).toEqual([]);
    expect({ code: result.code, stdout: result.stdout.trim() }).toEqual({ code: 0, stdout: 'ok' });
  });

  it('requires as CommonJS and runs without a Node warning', async () => {
    const script = `const m = require(${JSON.stringify(name)});
(async () => { ${call()} })().then(
  () => console.log('ok'),
  (error) => { console.error(error); process.exitCode = 1; },
);`;
    const result = await runNode(['--input-type=commonjs', '-e', script], { cwd });
    expect(nodeWarnings(result.stderr)).toEqual([]);
    expect({ code: result.code, stdout: result.stdout.trim() }).toEqual({ code: 0, stdout: 'ok' });
  });
});
