/**
 * Issue 8 §3: "the CLI spawned as a user would run it". The built `stemedb-admin` in a child
 * process (not a TTY, NO_COLOR=1), against the emulator over loopback and a file store: help,
 * JSON shapes, exit codes, one-line errors, and no key in any output unless `--reveal`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApiKey, hashApiKey } from '@stemedb/sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore } from '../../src/stores/file.js';
import { projectKeySecret, ROOT_KEY_SECRET } from '../../src/stores/names.js';
import { startKubernetesSecretsServer } from '../../src/testing.js';
import {
  brokenProjects,
  keyWorks,
  startServer,
  type TestServer,
  tempDir,
} from '../support/server.js';
import { ensureBuilt, keysIn, runCli } from './support/cli.js';
import { startHoldingProxy } from './support/proxy.js';

const HASH = expect.stringMatching(/^[0-9a-f]{64}$/);
const COMMANDS = ['bootstrap', 'provision', 'rotate', 'revoke', 'list', 'onboard', 'gate'];
const PROJECTS = ['alpha', 'beta', 'gamma'];

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());
const tmp = tempDir('cli');
let fileCount = 0;
/** A fresh file store spec (and its path) in the test's temp dir. */
const freshStore = () => {
  const path = join(tmp.dir, `secrets-${fileCount++}.json`);
  return { spec: `file:${path}`, path };
};
const projectsFile = (text: string) => {
  const path = join(tmp.dir, `projects-${fileCount++}.txt`);
  writeFileSync(path, text);
  return path;
};
const PROJECTS_FILE = projectsFile('# the demo\nalpha\n\nbeta  # billing\ngamma\n');

beforeAll(ensureBuilt, 180_000);
afterAll(() => tmp.remove());

const admin = () => ({ STEMEDB_ADMIN_KEY: server.rootKey });
/** Every output must be free of keys, the root key above all. */
function noKeys(r: { stdout: string; stderr: string }) {
  expect(keysIn(r.stdout + r.stderr)).toEqual([]);
}

describe('--help', () => {
  it.each(['', ...COMMANDS])('prints help for "%s" on stdout and exits 0', async (command) => {
    const r = await runCli(command === '' ? ['--help'] : [command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: stemedb-admin${command === '' ? '' : ` ${command}`}`);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stderr).toBe('');
  });

  it('lists every command in the root help', async () => {
    const r = await runCli(['--help']);
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('shows no key on a command line in any --help, the README, the docs or the examples', async () => {
    // A key, or a placeholder for one, assigned or passed on a command line: what ps and shell
    // history keep. Taking one from the store with $(...) or a pipe is what they show instead.
    const onCommandLine = /(STEMEDB_[A-Z_]*KEY=(?!"?\$\())|steme_live_(…|\.\.\.|[0-9a-f]{4})/;
    for (const command of ['', ...COMMANDS]) {
      const r = await runCli(command === '' ? ['--help'] : [command, '--help']);
      expect(r.stdout).not.toMatch(onCommandLine);
    }
    const root = fileURLToPath(new URL('../../../..', import.meta.url));
    const examples = readdirSync(join(root, 'examples'))
      .filter((f) => /provision|admin|README/.test(f))
      .map((f) => join(root, 'examples', f));
    for (const file of [
      join(root, 'packages/admin/README.md'),
      join(root, 'packages/admin/docs/stores.md'),
      ...examples,
    ]) {
      const shown = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => onCommandLine.test(line));
      expect({ file, shown }).toEqual({ file, shown: [] });
    }
  });

  it('never offers the admin key as a flag', async () => {
    for (const command of COMMANDS) {
      const r = await runCli([command, '--help']);
      expect(r.stdout).not.toMatch(/--admin-key[ =]|--admin-key <|--key </);
    }
  });
});

describe('bootstrap', () => {
  it('stores a root key, prints its hash only, and keeps it on a second run (--json)', async () => {
    const { spec, path } = freshStore();
    const first = await runCli(['bootstrap', '--store', spec, '--json']);
    expect(first.code).toBe(0);
    const stored = await readSecret(path, ROOT_KEY_SECRET);
    expect(JSON.parse(first.stdout)).toEqual({
      secret: ROOT_KEY_SECRET,
      created: true,
      hash: hashApiKey(stored!),
    });
    noKeys(first);
    const second = await runCli(['bootstrap', '--store', spec, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ created: false, hash: hashApiKey(stored!) });
  });

  it('prints the key with --reveal only', async () => {
    const { spec, path } = freshStore();
    const plain = await runCli(['bootstrap', '--store', spec]);
    expect(plain.stdout).toContain('stored a new root key as stemedb-root-api-key');
    noKeys(plain);
    const revealed = await runCli(['bootstrap', '--store', spec, '--reveal']);
    expect(keysIn(revealed.stdout)).toEqual([await readSecret(path, ROOT_KEY_SECRET)]);
  });

  it('--check confirms the server accepts the stored key; exit 3 when it does not', async () => {
    const { spec, path } = freshStore();
    const key = generateApiKey();
    const store = createFileSecretStore({ path });
    await store.writeVersion(ROOT_KEY_SECRET, server.rootKey);
    await store.close();
    const ok = await runCli(['bootstrap', '--store', spec, '--check', '--url', server.url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('the server accepts it');
    const other = freshStore();
    const s2 = createFileSecretStore({ path: other.path });
    await s2.writeVersion(ROOT_KEY_SECRET, key);
    await s2.close();
    const refused = await runCli(['bootstrap', '--store', other.spec, '--check'], {
      env: { STEMEDB_URL: server.url },
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^stemedb-admin: .*\[unauthorized\]\n$/);
    noKeys(refused);
  });
});

describe('--adopt (k8s: store)', () => {
  it('refuses to write into a Secret it does not manage, exit 1 naming --adopt; --adopt takes it over', async () => {
    const k8s = await startKubernetesSecretsServer({ namespaces: ['stemedb'] });
    try {
      k8s.putSecret('stemedb', {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: ROOT_KEY_SECRET, labels: { team: 'platform' } },
        data: { note: Buffer.from('made by hand').toString('base64') },
      });
      const kubeconfig = join(tmp.dir, `kubeconfig-${fileCount++}`);
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            { name: 'double', cluster: { server: k8s.url, 'insecure-skip-tls-verify': true } },
          ],
          users: [{ name: 'me', user: { token: 'local' } }],
          contexts: [{ name: 'double', context: { cluster: 'double', user: 'me' } }],
          'current-context': 'double',
        }),
      );
      const env = { KUBECONFIG: kubeconfig };
      const refused = await runCli(['bootstrap', '--store', 'k8s:stemedb'], { env });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('--adopt');
      expect(refused.stderr).toMatch(/\[unmanaged_secret\]\n$/);
      expect(k8s.secrets('stemedb')[0]?.data).toEqual({
        note: Buffer.from('made by hand').toString('base64'),
      });
      const adopted = await runCli(['bootstrap', '--store', 'k8s:stemedb', '--adopt', '--json'], {
        env,
      });
      expect(adopted.code).toBe(0);
      expect(JSON.parse(adopted.stdout)).toMatchObject({ created: true });
      const [secret] = k8s.secrets('stemedb');
      expect(secret?.data?.note).toBe(Buffer.from('made by hand').toString('base64'));
      expect(secret?.metadata.labels?.team).toBe('platform');
      noKeys(refused);
      noKeys(adopted);
    } finally {
      await k8s.close();
    }
  });
});

describe('bootstrap with STEMEDB_URL set (a server not yet seeded)', () => {
  it('stores the new key and exits 0 without trying it; a kept key is tried and reported', async () => {
    const { spec, path } = freshStore();
    const before = server.emulator.requests().length;
    const first = await runCli(['bootstrap', '--store', spec, '--json'], {
      env: { STEMEDB_URL: server.url },
    });
    expect(first.code).toBe(0);
    const stored = await readSecret(path, ROOT_KEY_SECRET);
    expect(JSON.parse(first.stdout)).toEqual({
      secret: ROOT_KEY_SECRET,
      created: true,
      hash: hashApiKey(stored!),
    });
    // Not a request: the server cannot know a key made a moment ago.
    expect(server.emulator.requests().length).toBe(before);
    const human = await runCli(['bootstrap', '--store', spec], {
      env: { STEMEDB_URL: server.url },
    });
    // Kept, tried, refused (this server was seeded with another key): said, not an error.
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('the server does not accept it yet');
    noKeys(first);
    noKeys(human);
  });
});

describe('provision', () => {
  it('--dry-run --json prints the plan in the result shape and changes nothing', async () => {
    const { spec, path } = freshStore();
    const before = server.emulator.requests().length;
    const r = await runCli(
      ['provision', PROJECTS_FILE, '--store', spec, '--url', server.url, '--dry-run', '--json'],
      { env: admin() },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      dryRun: true,
      projects: PROJECTS.map((project) => ({
        project,
        action: 'created',
        revoked: 0,
        reason: 'no stored key',
        hashes: { retired: [], revoked: [] },
      })),
      summary: { created: 3, replaced: 0, unchanged: 0, revoked: 0, retired: 0, failed: 0 },
    });
    const methods = server.emulator
      .requests()
      .slice(before)
      .map((q) => q.method);
    expect(methods).toEqual(['GET']);
    expect(await readSecret(path, projectKeySecret('alpha'))).toBeUndefined();
  });

  it('--json prints exactly the issue’s shape; a re-run is all unchanged', async () => {
    const { spec, path } = freshStore();
    const args = ['provision', PROJECTS_FILE, '--store', spec, '--url', server.url, '--json'];
    const r = await runCli(args, { env: admin() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      projects: PROJECTS.map((project) => ({
        project,
        action: 'created',
        revoked: 0,
        // Hashes only: the key created and stored, and none retired or revoked.
        hashes: { created: HASH, stored: HASH, retired: [], revoked: [] },
      })),
      summary: { created: 3, replaced: 0, unchanged: 0, revoked: 0, retired: 0, failed: 0 },
      unlisted: [],
    });
    noKeys(r);
    const store = createFileSecretStore({ path });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
    await store.close();
    const again = await runCli(args, { env: admin() });
    expect(JSON.parse(again.stdout).summary).toEqual({
      created: 0,
      replaced: 0,
      unchanged: 3,
      revoked: 0,
      retired: 0,
      failed: 0,
    });
  });

  it('prints a plan and a summary for a person, with no progress bar when not a TTY', async () => {
    const { spec } = freshStore();
    const r = await runCli(['provision', PROJECTS_FILE, '--store', spec, '--url', server.url], {
      env: admin(),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan: 3 to create, 0 to replace, 0 unchanged, 0 keys to revoke');
    expect(r.stdout).toContain('done: 3 created, 0 replaced, 0 unchanged, 0 revoked, 0 failed');
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).toBe('');
  });

  it('converges after two processes provision at once and one more run', async () => {
    const { spec, path } = freshStore();
    const file = projectsFile(`${Array.from({ length: 12 }, (_, i) => `p-${i}`).join('\n')}\n`);
    const args = ['provision', file, '--store', spec, '--url', server.url, '--json'];
    const both = await Promise.all([
      runCli(args, { env: admin() }),
      runCli(args, { env: admin() }),
    ]);
    expect(both.map((r) => r.code)).toEqual([0, 0]);
    expect((await runCli(args, { env: admin() })).code).toBe(0);
    const store = createFileSecretStore({ path });
    const projects = Array.from({ length: 12 }, (_, i) => `p-${i}`);
    expect(await brokenProjects(server, store, projects)).toEqual([]);
    await store.close();
  });

  it('reads the admin key from stdin with --admin-key-stdin and from the store', async () => {
    const { spec, path } = freshStore();
    const viaStdin = await runCli(
      ['provision', PROJECTS_FILE, '--store', spec, '--url', server.url, '--admin-key-stdin'],
      { stdin: `${server.rootKey}\n` },
    );
    expect(viaStdin.code).toBe(0);
    const store = createFileSecretStore({ path });
    await store.writeVersion(ROOT_KEY_SECRET, server.rootKey);
    await store.close();
    const fromStore = await runCli(
      ['provision', PROJECTS_FILE, '--store', spec, '--admin-key-from-store', '--json'],
      { env: { STEMEDB_URL: server.url } },
    );
    expect(fromStore.code).toBe(0);
    expect(JSON.parse(fromStore.stdout).summary.unchanged).toBe(3);
  });

  it('exits 1 when a project fails, completes the others, and says which', async () => {
    const { spec } = freshStore();
    // The proxy refuses the second key creation (beta's) with a 409 the SDK does not retry.
    const proxy = await startHoldingProxy(server.url, {
      method: 'POST',
      path: /^\/v1\/admin\/api-keys$/,
      nth: 2,
      when: 'fail',
    });
    try {
      const args = ['provision', PROJECTS_FILE, '--store', spec, '--url', proxy.url];
      const r = await runCli([...args, '--json', '--concurrency', '1'], { env: admin() });
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.summary).toEqual({
        created: 2,
        replaced: 0,
        unchanged: 0,
        revoked: 0,
        retired: 0,
        failed: 1,
      });
      expect(out.projects[1]).toMatchObject({ project: 'beta', action: 'failed' });
      expect(out.projects[1].error).toContain('creating the key');
      noKeys(r);
      const text = await runCli(args, { env: admin() });
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('done: 1 created, 0 replaced, 2 unchanged');
    } finally {
      await proxy.close();
    }
  });
});

describe('errors', () => {
  it('names every bad line of the projects file, exit 2, before contacting anything', async () => {
    const before = server.emulator.requests().length;
    const file = projectsFile('alpha\nBad_Name\nalpha\n');
    const r = await runCli(['provision', file, '--store', freshStore().spec, '--url', server.url], {
      env: admin(),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `stemedb-admin: ${file}:2: project name "Bad_Name" may only have lowercase letters, digits and hyphens, and must start and end with a letter or a digit; ${file}:3: duplicate project alpha (first on line 1) [invalid_projects_file]\n`,
    );
    expect(server.emulator.requests().length).toBe(before);
  });

  it.each([
    { spec: 'vault:x', names: 'Unknown store scheme "vault:"' },
    { spec: 'gcp:X_bad', names: 'The GCP project "X_bad"' },
    { spec: 'k8s:Bad_NS', names: 'The Kubernetes namespace "Bad_NS"' },
    { spec: 'file:relative.json', names: 'The file store path "relative.json" is relative' },
  ])('names the bad part of the store spec $spec, exit 2', async ({ spec, names }) => {
    const r = await runCli(['bootstrap', '--store', spec]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(names);
    expect(r.stderr).toMatch(/\[invalid_store_spec\]\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('says how to give the admin key when there is none, exit 2', async () => {
    const r = await runCli(['list', '--store', freshStore().spec, '--url', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'stemedb-admin: no admin key: set STEMEDB_ADMIN_KEY, or pass --admin-key-stdin or --admin-key-from-store [admin_key_missing]\n',
    );
  });

  it('exits 3 when the server refuses the admin key, without quoting it', async () => {
    const wrong = generateApiKey();
    const r = await runCli(['list', '--store', freshStore().spec, '--url', server.url], {
      env: { STEMEDB_ADMIN_KEY: wrong },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain(wrong.slice(11));
    noKeys(r);
  });

  it('prints a stack trace only with --debug', async () => {
    const args = ['list', '--store', freshStore().spec, '--url', server.url];
    const env = { STEMEDB_ADMIN_KEY: generateApiKey() };
    const plain = await runCli(args, { env });
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    const debug = await runCli([...args, '--debug'], { env });
    expect(debug.stderr).toMatch(/^\s+at /m);
    noKeys(debug);
  });

  it('refuses an unknown option and a bad --concurrency, exit 2, one line', async () => {
    const unknown = await runCli(['provision', PROJECTS_FILE, '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("stemedb-admin: unknown option '--bogus' (see --help)\n");
    const bad = await runCli(
      ['provision', PROJECTS_FILE, '--url', server.url, '--concurrency', '0'],
      { env: admin() },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--concurrency must be a whole number from 1 to 256');
  });
});

describe('rotate, revoke, list, onboard', () => {
  it('works end to end, printing no key but onboard --reveal’s', async () => {
    const { spec, path } = freshStore();
    const common = ['--store', spec, '--url', server.url];
    expect((await runCli(['provision', PROJECTS_FILE, ...common], { env: admin() })).code).toBe(0);
    const old = await readSecret(path, projectKeySecret('alpha'));

    const rotated = await runCli(['rotate', 'alpha', ...common, '--grace', '0', '--json'], {
      env: admin(),
    });
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout).projects).toEqual([
      {
        project: 'alpha',
        action: 'replaced',
        revoked: 1,
        hashes: { created: HASH, stored: HASH, retired: [HASH], revoked: [] },
      },
    ]);
    const fresh = await readSecret(path, projectKeySecret('alpha'));
    expect(fresh).not.toBe(old);
    expect(await keyWorks(server.url, fresh!)).toBe(true);

    const all = await runCli(['rotate', '--all', ...common, '--json'], { env: admin() });
    expect(JSON.parse(all.stdout).summary).toMatchObject({ replaced: 3, failed: 0 });

    const listed = await runCli(['list', ...common, '--json'], { env: admin() });
    const rows = JSON.parse(listed.stdout).keys.filter((k: { label: string }) =>
      k.label.startsWith('project-'),
    );
    expect(rows.map((k: { label: string; stored: boolean }) => [k.label, k.stored])).toEqual(
      expect.arrayContaining([
        ['project-alpha', true],
        ['project-beta', true],
        ['project-gamma', true],
      ]),
    );
    const table = await runCli(['list', ...common], { env: admin() });
    expect(table.stdout).toMatch(/^LABEL\s+ROLE\s+CREATED\s+STATE\s+STORED\s+HASH/m);
    expect(table.stdout).toMatch(/^project-beta\s+write_agent\s+\S+\s+live\s+yes\s/m);

    // gamma's key before rotate --all is still live (its 2 h grace): revoke takes both.
    const revoked = await runCli(['revoke', 'gamma', ...common, '--json'], { env: admin() });
    expect(JSON.parse(revoked.stdout)).toEqual({
      project: 'gamma',
      revoked: 2,
      secretDeleted: true,
    });

    const onboard = await runCli([
      'onboard',
      'beta',
      '--store',
      spec,
      '--url',
      'https://s.example',
    ]);
    expect(onboard.code).toBe(0);
    expect(onboard.stdout).toContain(
      '[hosted]\nurl = "https://s.example"\napi_key_env = "STEMEDB_API_KEY"',
    );
    expect(onboard.stdout).toContain('STEMEDB_API_KEY');
    expect(onboard.stdout).toContain(`jq -r '.secrets["stemedb-key-beta"].versions[-1].value'`);
    for (const r of [rotated, all, listed, table, revoked, onboard]) noKeys(r);

    const revealed = await runCli([
      'onboard',
      'beta',
      '--store',
      spec,
      '--url',
      'https://s.example',
      '--reveal',
    ]);
    expect(keysIn(revealed.stdout)).toEqual([await readSecret(path, projectKeySecret('beta'))]);
  });
});

describe('gate', () => {
  it('--json prints an array of { phase, check, ok, detail }, exit 0 when all pass', async () => {
    const r = await runCli(['gate', 'phase1', '--url', server.url, '--json'], { env: admin() });
    expect(r.code).toBe(0);
    const checks = JSON.parse(r.stdout);
    expect(checks.map((c: { check: string }) => c.check)).toEqual([
      'health',
      'unauthenticated-write',
      'authenticated-write',
    ]);
    for (const c of checks) expect(Object.keys(c)).toEqual(['phase', 'check', 'ok', 'detail']);
    noKeys(r);
  });

  it('exits 1 and prints the table with the failed check when one fails', async () => {
    const open = await startServer({ auth: false });
    try {
      const r = await runCli(['gate', 'phase1', '--url', open.url], {
        env: { STEMEDB_ADMIN_KEY: open.rootKey },
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^phase1\s+unauthenticated-write\s+FAIL\s/m);
      expect(r.stdout).toContain('gate failed: 1 of 3 checks');
    } finally {
      await open.close();
    }
  });

  it('refuses an unknown phase, exit 2', async () => {
    const r = await runCli(['gate', 'phase4', '--url', server.url], { env: admin() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown phase "phase4"; use phase1, phase2, phase3 or all');
  });

  it('refuses phase2 without --prometheus-url, exit 2', async () => {
    const r = await runCli(['gate', 'phase2', '--url', server.url], { env: admin() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gate phase2: give --prometheus-url');
  });
});

async function readSecret(path: string, name: string): Promise<string | undefined> {
  const store = createFileSecretStore({ path });
  try {
    return await store.readLatest(name);
  } finally {
    await store.close();
  }
}
