/**
 * Issue #3 section 6, the CLI, tested as users run it: the built bin
 * (bin/stemedb-manifests.js → dist/cli.js) in a child process, with its exit code, stdout and
 * stderr. dist/ is rebuilt first when it is missing or older than src/. apply and diff talk to
 * a real node:http server on 127.0.0.1 port 0 through a kubeconfig file in KUBECONFIG.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildBundle } from '../src/bundle.js';
import { sortForApply } from '../src/cluster/order.js';
import { kustomizeFiles } from '../src/output/kustomize-dir.js';
import { parseYamlStream } from '../src/output/serialize.js';
import type { KubeObject } from '../src/types.js';
import { DISCOVERY } from './fixtures/cluster/fake-api.js';
import { extractBlocks, ROADMAP_PATH } from './fixtures/roadmap.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PACKAGE, 'bin/stemedb-manifests.js');
const DIST = join(PACKAGE, 'dist/cli.js');

/** The newest mtime under `dir`, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

beforeAll(() => {
  const stale = !existsSync(DIST) || statSync(DIST).mtimeMs < newest(join(PACKAGE, 'src'));
  if (stale) execFileSync('pnpm', ['run', 'build'], { cwd: PACKAGE, stdio: 'ignore' });
}, 180_000);

const work = mkdtempSync(join(tmpdir(), 'stemedb-manifests-cli-'));
let fileCount = 0;
/** Writes `text` to a fresh file in the test's temp dir and returns its path. */
function file(name: string, text: string): string {
  const dir = join(work, `f${fileCount++}`);
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const freshDir = () => join(work, `d${fileCount++}`);

const MINIMAL_YAML = 'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: "0.9.0"\n';
const CONFIG = file('stemedb.yaml', MINIMAL_YAML);
const BUNDLE = buildBundle(parseYaml(MINIMAL_YAML));
/** A config whose bundle has one warning: with monitoring off, no alert watches the backup. */
const WARNING = file('warning.yaml', `${MINIMAL_YAML}monitoring:\n  enabled: false\n`);
/** A config that parses but whose bundle has an error: probes allow 2 s for a 60 s WAL replay. */
const FAILING = file(
  'failing.yaml',
  `${MINIMAL_YAML}probes:\n  startup: { periodSeconds: 1, failureThreshold: 2 }\n`,
);
const SECRET = 'hunter2-literal-6c0ffee';
/** A config with a secret as a literal env value (an error the report must not quote). */
const LEAKY = file(
  'leaky.yaml',
  `${MINIMAL_YAML}server:\n  extraEnv: { STEMEDB_API_TOKEN: "${SECRET}" }\n`,
);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (asynchronously: the fake API server answers from this process). */
function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: work, ...env },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`, Debian's essential bsdutils), where
 * colour and progress are allowed; stdout and stderr arrive merged. Asynchronous, like run().
 */
function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: work, TERM: 'xterm', ...env } },
      (_error, stdout) => resolve(stdout),
    );
  });
}
const hasScript = (() => {
  try {
    execFileSync('script', ['-qec', 'true', '/dev/null']);
    return true;
  } catch {
    console.warn(
      '`script` (util-linux) is missing: the terminal colour and progress tests are skipped.',
    );
    return false;
  }
})();

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[`);
const STACK = /\n\s+at /;

/**
 * The stderr of a failing command: one line, no stack. Commands that validate a bundle print
 * its report first (warnings included), so with `afterReport` only the last line is the error.
 */
function expectOneLineError(result: Run, code: number, pattern: RegExp, afterReport = false): void {
  expect(result.code, result.stderr).toBe(code);
  const error = afterReport ? `${result.stderr.trimEnd().split('\n').at(-1)}\n` : result.stderr;
  expect(error).toMatch(/^stemedb-manifests: [^\n]+\n$/);
  expect(error).toMatch(pattern);
  expect(result.stderr).not.toMatch(STACK);
}

describe('--help', () => {
  it.each(['render', 'validate', 'lint', 'apply', 'diff'])(
    '%s --help describes the command and its exit codes',
    async (command) => {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: stemedb-manifests ${command} [options]`);
      expect(result.stdout).toContain('Exit codes:');
      expect(result.stdout).toMatch(/2 {2}usage or config error/);
    },
  );

  it('the program --help lists every command, NO_COLOR and the exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['render', 'validate', 'lint', 'apply', 'diff']) {
      expect(result.stdout).toMatch(new RegExp(`\\n {2}${command} `));
    }
    expect(result.stdout).toContain('NO_COLOR');
    expect(result.stdout).toContain('Exit codes:');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});

describe('usage errors exit 2 with one line', () => {
  it('an unknown option', async () => {
    expectOneLineError(await run(['render', '--bogus']), 2, /unknown option '--bogus'/);
  });

  it('an unknown command', async () => {
    expectOneLineError(await run(['deploy']), 2, /unknown command 'deploy'/);
  });

  it('an unknown --format', async () => {
    const result = await run(['render', '--config', CONFIG, '--format', 'helm']);
    expectOneLineError(result, 2, /yaml, json, kustomize/);
  });

  it('no command at all shows the help and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: stemedb-manifests');
  });
});

describe('render', () => {
  it('writes YAML to stdout that parses back into the bundle', async () => {
    const result = await run(['render', '--config', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseYamlStream(result.stdout)).toEqual(BUNDLE);
  });

  it('--format json writes a v1 List of the bundle', async () => {
    const result = await run(['render', '--config', CONFIG, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ apiVersion: 'v1', kind: 'List', items: BUNDLE });
  });

  it('--format kustomize --out DIR writes one file per object and the kustomization', async () => {
    const dir = freshDir();
    const result = await run(['render', '-c', CONFIG, '-f', 'kustomize', '-o', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${BUNDLE.length} objects to ${dir}/`);
    const expected = kustomizeFiles(BUNDLE);
    expect(readdirSync(dir).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
  });

  it('--out FILE writes the YAML there and nothing to stdout', async () => {
    const out = join(freshDir(), 'stemedb.k8s.yaml');
    const result = await run(['render', '--config', CONFIG, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(parseYamlStream(readFileSync(out, 'utf8'))).toEqual(BUNDLE);
  });

  it('reads a JSON config', async () => {
    const json = file('stemedb.json', JSON.stringify(parseYaml(MINIMAL_YAML)));
    const result = await run(['render', '--config', json, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).items).toEqual(BUNDLE);
  });

  it('--format kustomize without --out is a usage error', async () => {
    const result = await run(['render', '--config', CONFIG, '--format', 'kustomize']);
    expectOneLineError(result, 2, /--out DIR/);
  });

  it('exits 2 with one line naming the key for an invalid config, and writes nothing', async () => {
    const bad = file('bad.yaml', `${MINIMAL_YAML}replicas: 2\nport: 80\n`);
    const result = await run(['render', '--config', bad]);
    expectOneLineError(result, 2, /replicas: unknown key/);
    expect(result.stderr).toMatch(/port: must be ≥ 1024/);
    expect(result.stderr).toContain(bad);
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the required keys when there is no --config', async () => {
    const result = await run(['render']);
    expectOneLineError(result, 2, /no --config given/);
    expect(result.stderr).toMatch(/ingress: required/);
    expect(result.stderr).toMatch(/image\.tag: /);
  });

  it('exits 2 for a config file that does not exist', async () => {
    const result = await run(['render', '--config', join(work, 'missing.yaml')]);
    expectOneLineError(result, 2, /cannot read config .*missing\.yaml: no such file/);
  });

  it('exits 1 and writes nothing when the bundle has errors, with the report on stderr', async () => {
    const dir = freshDir();
    const result = await run(['render', '-c', FAILING, '-f', 'kustomize', '-o', dir]);
    expect(result.code).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('[policy/startup-window-too-short]');
    expect(result.stderr).toMatch(
      /\nstemedb-manifests: 1 error in the bundle .*nothing was written\n$/,
    );
  });

  it('--json puts the report on stderr as one JSON document, even when clean', async () => {
    const result = await run(['render', '--config', CONFIG, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stderr);
    expect(report).toMatchObject({ ok: true, errors: 0 });
    expect(parseYamlStream(result.stdout)).toEqual(BUNDLE);
  });

  it('never prints a secret value, not even with --debug', async () => {
    for (const args of [
      ['render', '--config', LEAKY, '--debug'],
      ['validate', '--config', LEAKY, '--json'],
    ]) {
      const result = await run(args);
      expect(result.code).toBe(1);
      expect(`${result.stdout}${result.stderr}`).toContain('policy/secret-literal-env');
      expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    }
  });

  it('stops quietly when stdout is closed early (render | head)', () => {
    const out = execFileSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" render --config "${CONFIG}" 2>/dev/null | head -n 1`],
      { encoding: 'utf8' },
    );
    expect(out).toBe('apiVersion: v1\n');
  });
});

describe('validate', () => {
  it('prints the report and exits 0 when there are only warnings', async () => {
    const result = await run(['validate', '--config', CONFIG]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/(^No problems found\.|\n0 errors, \d+ warnings?\.)\n$/);
    expect(result.stderr).toBe('');
  });

  it('--json gives machine-readable findings', async () => {
    const result = await run(['validate', '--config', FAILING, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: false, errors: 1 });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        ruleId: 'policy/startup-window-too-short',
        object: 'Deployment/stemedb/stemedb-api',
        path: expect.any(String),
        message: expect.any(String),
        fix: expect.any(String),
      }),
    );
    expect(result.stderr).toMatch(/^stemedb-manifests: 1 error in the bundle[^\n]*\n$/);
  });

  it('--list-rules lists every rule with its severity', async () => {
    const result = await run(['validate', '--list-rules', '--json']);
    expect(result.code).toBe(0);
    const rules = JSON.parse(result.stdout) as { id: string; severity: string }[];
    expect(rules.map((r) => r.id)).toContain('policy/pdb-blocks-eviction');
    expect(rules.every((r) => r.severity === 'error' || r.severity === 'warning')).toBe(true);
  });
});

describe('lint', () => {
  /** The roadmap's manifests, one file each, as an operator would have them. */
  const roadmapDir = join(work, 'roadmap');
  const roadmapFile = join(work, 'roadmap-stemedb.yaml');
  beforeAll(() => {
    mkdirSync(roadmapDir);
    const files = new Map<string, string[]>();
    for (const block of extractBlocks(readFileSync(ROADMAP_PATH, 'utf8'))) {
      files.set(block.file, [...(files.get(block.file) ?? []), block.text]);
    }
    for (const [name, texts] of files) {
      writeFileSync(join(roadmapDir, name), `${texts.join('\n---\n')}\n`);
    }
    const all = [...files].filter(([name]) => name !== 'kustomization.yaml');
    writeFileSync(roadmapFile, all.map(([, texts]) => texts.join('\n---\n')).join('\n---\n'));
  });

  it("fails the roadmap's YAML, one multi-document file, naming its defects", async () => {
    const result = await run(['lint', roadmapFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PodDisruptionBudget/stemedb/stemedb-api');
    expect(result.stdout).toContain('[policy/pdb-blocks-eviction]');
    expect(result.stdout).toContain('[schema/unknown-field]');
    expect(result.stdout).toContain('[policy/network-policy-dns]');
    expect(result.stderr).toMatch(/^stemedb-manifests: \d+ errors in 13 objects\n$/);
  });

  it("fails the roadmap's kustomize directory, naming the files its kustomization leaves out", async () => {
    const result = await run(['lint', roadmapDir, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      findings: { ruleId: string; message: string }[];
    };
    expect(report.ok).toBe(false);
    const unlisted = report.findings
      .filter((f) => f.ruleId === 'ref/kustomization-files')
      .map((f) => f.message.split(' ')[1]);
    expect(unlisted.sort()).toEqual([
      'alert-rules.yaml',
      'backup-cronjob.yaml',
      'network-policy.yaml',
      'pdb.yaml',
      'service-monitor.yaml',
    ]);
  });

  it('passes our own rendered kustomize directory', async () => {
    const dir = freshDir();
    expect((await run(['render', '-c', CONFIG, '-f', 'kustomize', '-o', dir])).code).toBe(0);
    const result = await run([
      'lint',
      dir,
      '--ingress-namespace',
      'kube-system',
      '--prometheus-namespace',
      'monitoring',
      '--json',
    ]);
    expect(result.code, result.stdout).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, errors: 0 });
  });

  it('reports a YAML syntax error as a finding with its line', async () => {
    const broken = file('broken.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: [x\n');
    const result = await run(['lint', broken, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.findings[0]).toMatchObject({
      severity: 'error',
      ruleId: 'lint/yaml-syntax',
      object: broken,
      message: expect.stringMatching(/at line \d+, column \d+$/),
    });
  });

  it('reads a v1 List as its items', async () => {
    const list = file(
      'list.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: BUNDLE }),
    );
    const result = await run([
      'lint',
      list,
      '--ingress-namespace',
      'kube-system',
      '--prometheus-namespace',
      'monitoring',
    ]);
    expect(result.code, result.stdout).toBe(0);
  });

  it('exits 2 for a path that does not exist', async () => {
    expectOneLineError(await run(['lint', join(work, 'nope.yaml')]), 2, /nope\.yaml: no such file/);
  });
});

describe('colour and errors', () => {
  it.runIf(hasScript)('colours the report on a terminal', async () => {
    expect(await onTerminal(['validate', '--config', WARNING])).toMatch(ANSI);
  });

  it.runIf(hasScript)('does not colour on a terminal when NO_COLOR is set', async () => {
    const output = await onTerminal(['validate', '--config', WARNING], { NO_COLOR: '1' });
    expect(output).toContain('warning');
    expect(output).not.toMatch(ANSI);
  });

  it('does not colour when the output is not a terminal', async () => {
    const result = await run(['validate', '--config', WARNING]);
    expect(result.stdout).toContain('warning');
    expect(result.stdout).not.toMatch(ANSI);
  });

  it('--debug prints the stack of an error', async () => {
    const result = await run(['--debug', 'render', '--config', join(work, 'missing.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^stemedb-manifests: cannot read config/);
    expect(result.stderr).toMatch(STACK);
    expect(result.stderr).toContain('Caused by: Error: ENOENT');
  });

  it('--debug works after the command name too', async () => {
    const result = await run(['render', '--config', join(work, 'missing.yaml'), '--debug']);
    expect(result.stderr).toMatch(STACK);
  });
});

describe('what each command loads', () => {
  /** The ES module URLs a run resolved (client-node is ESM-only, so it shows up here). */
  async function loaded(args: string[], env: Record<string, string> = {}): Promise<string> {
    const log = join(freshDir());
    mkdirSync(log);
    const hooks = join(log, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(join(log, 'urls'))}, result.url + '\\n');
  return result;
}`,
    );
    const register = join(log, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`,
    );
    await new Promise<void>((resolve) => {
      execFile(
        process.execPath,
        ['--import', register, BIN, ...args],
        { cwd: work, env: { PATH: process.env.PATH, HOME: work, ...env } },
        () => resolve(),
      );
    });
    return readFileSync(join(log, 'urls'), 'utf8');
  }

  // The CLI build bundles zod, yaml and commander into its chunks (tsup.config.ts), so what
  // shows here is which chunks of dist/ each command pulls in.
  it.each([
    ['render', ['render', '--config', CONFIG], 'render-command'],
    ['validate', ['validate', '--config', CONFIG], 'validate-command'],
    ['lint', ['lint', CONFIG], 'lint-command'],
  ])('%s does not load @kubernetes/client-node', async (_name, args, chunk) => {
    const urls = await loaded(args);
    expect(urls).toMatch(new RegExp(`/dist/${chunk}-[A-Z0-9]+\\.js`));
    expect(urls).not.toContain('@kubernetes/client-node');
  });

  it('--help loads no command code', async () => {
    const urls = await loaded(['--help']);
    expect(urls).toMatch(/\/dist\/cli\.js/);
    expect(urls).not.toMatch(/\/dist\/(render|validate|lint|cluster)-command/);
    expect(urls).not.toMatch(/\/node_modules\/.*\/(yaml|zod)\//);
  });

  it('apply does load it (the check above can see it)', async () => {
    const urls = await loaded(['apply', '--config', CONFIG], { KUBECONFIG: join(work, 'none') });
    expect(urls).toContain('@kubernetes/client-node');
  });
});

// --- apply and diff against a fake API server ------------------------------------------------

const TOKEN = 'cli-test-token-8d3f0a';

/** The API path of an object, as a real server has it. */
function apiPath(o: KubeObject): string {
  const resource = DISCOVERY[o.apiVersion]!.find((r) => r.kind === o.kind)!;
  const base = o.apiVersion === 'v1' ? '/api/v1' : `/apis/${o.apiVersion}`;
  const ns = resource.namespaced ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${resource.name}/${o.metadata.name}`;
}

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: KubeObject | undefined;
}

interface FakeServer {
  requests: Recorded[];
  objects: Map<string, KubeObject>;
  /** Answer a request yourself: [status, body]. */
  override: ((req: Recorded) => [number, unknown] | undefined) | undefined;
  kubeconfig: string;
}

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
});

let server: Server;
const fake: FakeServer = { requests: [], objects: new Map(), override: undefined, kubeconfig: '' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: Recorded = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text ? (JSON.parse(text) as KubeObject) : undefined,
      };
      fake.requests.push(recorded);
      const [code, body] = fake.override?.(recorded) ?? answer(recorded);
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.kubeconfig = file(
    'kubeconfig',
    `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }
users:
  - name: fake
    user: { token: ${TOKEN} }
contexts:
  - name: fake
    context: { cluster: fake, user: fake }
current-context: fake
`,
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

/** Discovery, GET of stored objects, and server-side apply that stores the body. */
function answer(req: Recorded): [number, unknown] {
  const gv = /^\/(?:api|apis)\/(.+)$/.exec(req.path)?.[1];
  if (req.method === 'GET' && gv && gv in DISCOVERY) {
    return [200, { kind: 'APIResourceList', groupVersion: gv, resources: DISCOVERY[gv] }];
  }
  const live = fake.objects.get(req.path);
  if (req.method === 'GET') return live ? [200, live] : [404, status(404, 'NotFound', 'not found')];
  if (req.method === 'PATCH' && req.body) {
    const applied = { ...req.body, metadata: { ...req.body.metadata, resourceVersion: '1' } };
    if (!req.query.has('dryRun')) fake.objects.set(req.path, applied);
    return [live ? 200 : 201, applied];
  }
  return [405, status(405, 'MethodNotAllowed', req.method)];
}

function resetFake(): void {
  fake.requests = [];
  fake.objects.clear();
  fake.override = undefined;
}

const cluster = (args: string[], env: Record<string, string> = {}) =>
  run(args, { KUBECONFIG: fake.kubeconfig, ...env });
const patches = () => fake.requests.filter((r) => r.method === 'PATCH');
const APPLY_PATHS = sortForApply(BUNDLE).map(apiPath);

describe('apply', () => {
  it('server-side applies every object in dependency order as stemedb-manifests', async () => {
    resetFake();
    const result = await cluster(['apply', '--config', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    expect(patches().map((r) => r.path)).toEqual(APPLY_PATHS);
    for (const patch of patches()) {
      expect(patch.query.get('fieldManager')).toBe('stemedb-manifests');
      expect(patch.query.get('fieldValidation')).toBe('Strict');
      expect(patch.query.has('force')).toBe(false);
      expect(patch.headers['content-type']).toBe('application/apply-patch+yaml');
      expect(patch.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
    expect(patches().map((r) => r.body)).toEqual(sortForApply(BUNDLE));
    expect(result.stdout.split('\n')[0]).toBe('created Namespace/stemedb');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(BUNDLE.length);
    expect(result.stderr).not.toContain('applying'); // progress is for terminals only
  });

  it.runIf(hasScript)('shows progress on a terminal', async () => {
    resetFake();
    const output = await onTerminal(['apply', '--config', CONFIG], {
      KUBECONFIG: fake.kubeconfig,
    });
    expect(output).toContain(`[1/${BUNDLE.length}] applying Namespace/stemedb`);
    expect(output).toContain(`[${BUNDLE.length}/${BUNDLE.length}] applying`);
    expect(patches()).toHaveLength(BUNDLE.length);
  });

  it('--dry-run sends dryRun=All and persists nothing', async () => {
    resetFake();
    const result = await cluster(['apply', '--config', CONFIG, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(patches()).toHaveLength(BUNDLE.length);
    expect(patches().every((r) => r.query.get('dryRun') === 'All')).toBe(true);
    expect(fake.objects.size).toBe(0);
    expect(result.stdout).toContain('(server dry run)');
  });

  it('--force-conflicts and --field-manager reach the query', async () => {
    resetFake();
    const result = await cluster([
      'apply',
      '--config',
      CONFIG,
      '--force-conflicts',
      '--field-manager',
      'ops-team',
    ]);
    expect(result.code, result.stderr).toBe(0);
    for (const patch of patches()) {
      expect(patch.query.get('force')).toBe('true');
      expect(patch.query.get('fieldManager')).toBe('ops-team');
    }
  });

  it('--json prints the results, configured on a second apply', async () => {
    resetFake();
    await cluster(['apply', '--config', CONFIG]);
    const result = await cluster(['apply', '--config', CONFIG, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.ok).toBe(true);
    expect(out.results).toHaveLength(BUNDLE.length);
    expect(out.results[0]).toEqual({
      ref: 'Namespace/stemedb',
      action: 'configured',
      dryRun: false,
    });
  });

  it('refuses to apply a bundle with errors, and sends nothing', async () => {
    resetFake();
    const result = await cluster(['apply', '--config', FAILING]);
    expect(result.code).toBe(1);
    expect(fake.requests).toEqual([]);
    expect(result.stderr).toContain('[policy/startup-window-too-short]');
    expect(result.stderr).toMatch(
      /\nstemedb-manifests: 1 error in the bundle .*refusing to apply\n$/,
    );
  });

  it('exits 1 with one line naming the object when the server refuses it, and what went before', async () => {
    resetFake();
    fake.override = (req) =>
      req.method === 'PATCH' && req.path.endsWith('/deployments/stemedb-api')
        ? [403, status(403, 'Forbidden', 'deployments.apps is forbidden')]
        : undefined;
    const result = await cluster(['apply', '--config', CONFIG]);
    const before = APPLY_PATHS.indexOf(apiPath(BUNDLE.find((o) => o.kind === 'Deployment')!));
    expectOneLineError(
      result,
      1,
      new RegExp(
        `^stemedb-manifests: Deployment/stemedb/stemedb-api: forbidden \\(403\\).*\\(${before} applied before it\\)\\n$`,
      ),
      true,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
    expect(patches()).toHaveLength(before + 1);
  });

  it('exits 2 when there is no kubeconfig', async () => {
    const result = await run(['apply', '--config', CONFIG], {
      KUBECONFIG: join(work, 'no-such-kubeconfig'),
    });
    expectOneLineError(
      result,
      2,
      /KUBECONFIG names .*no-such-kubeconfig, which does not exist/,
      true,
    );
  });

  it('exits 2 for a context the kubeconfig does not have', async () => {
    const result = await cluster(['apply', '--config', CONFIG, '--context', 'prod']);
    expectOneLineError(result, 2, /no context "prod" in the kubeconfig \(it has: fake\)/, true);
  });
});

describe('diff', () => {
  it('reads each object and dry-runs its apply; everything is new on an empty cluster', async () => {
    resetFake();
    const result = await cluster(['diff', '--config', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    // Objects in the namespace the apply would create cannot be dry-run: only the namespace
    // and the cluster-scoped StorageClass reach the server.
    const clusterScoped = BUNDLE.filter((o) => !o.metadata.namespace);
    expect(patches().map((r) => r.path)).toEqual(sortForApply(clusterScoped).map(apiPath));
    expect(patches().every((r) => r.query.get('dryRun') === 'All')).toBe(true);
    expect(patches().every((r) => r.query.get('fieldManager') === 'stemedb-manifests')).toBe(true);
    expect(fake.objects.size).toBe(0);
    expect(result.stdout).toContain('create Namespace/stemedb\n');
    expect(result.stdout).toContain(`${BUNDLE.length} to create, 0 to update, 0 unchanged.`);
  });

  it('reports unchanged objects after an apply, as JSON with --json', async () => {
    resetFake();
    await cluster(['apply', '--config', CONFIG]);
    fake.requests = [];
    const result = await cluster(['diff', '--config', CONFIG, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { ok: boolean; results: { action: string }[] };
    expect(out.ok).toBe(true);
    expect(out.results.map((r) => r.action)).toEqual(BUNDLE.map(() => 'unchanged'));
    expect(patches().map((r) => r.path)).toEqual(APPLY_PATHS);
  });
});
