/**
 * One small program per entry of each package's `exports`, as a user's first program would use
 * it: each does real work through the installed package (a server started and called, a bundle
 * rendered and validated, keys provisioned) and throws when anything is off. Each is written out
 * twice, as an ES module (`.mjs`, `import`) and as CommonJS (`.cjs`, `require`), so that both
 * conditions of every export are loaded from the tarball.
 */

/** A program using one export of a package. */
export interface Consumer {
  /** The export it is about, as a user names it, e.g. `@stemedb/admin/testing`. */
  readonly specifier: string;
  /** Modules it loads: binding name → specifier. */
  readonly imports: Readonly<Record<string, string>>;
  /**
   * Its statements (`await` allowed). In scope: the imports, `assert` (node:assert/strict),
   * `fs`, `os`, `path`, and `pathOf(specifier)`, the file a specifier resolves to.
   */
  readonly body: string;
}

/** The module systems a consumer is written for. */
export type ModuleKind = 'esm' | 'cjs';

const SCAN = `{
  schema: 'aphoria.scan/v1', project: 'packed', commit: 'a'.repeat(40), branch: 'main',
  scanner: { name: 'aphoria', version: '0.9.0' },
  started_at: '2026-12-01T10:00:00Z', finished_at: '2026-12-01T10:00:09Z',
  findings: [{ rule: 'secrets/hardcoded-key', severity: 'high', file: 'src/config.ts', line: 12,
    end_line: 12, message: 'A hard-coded API key', fingerprint: 'leaked-key-1' }],
}`;

/** Every consumer, one per export other than `./package.json`. */
export const CONSUMERS: readonly Consumer[] = [
  {
    specifier: '@stemedb/sdk',
    imports: { sdk: '@stemedb/sdk', emulator: '@stemedb/emulator' },
    body: `
      const server = await emulator.startEmulator();
      const client = new sdk.StemeClient({ baseUrl: server.url, apiKey: server.rootApiKey });
      const stranger = new sdk.StemeClient({ baseUrl: server.url, apiKey: sdk.generateApiKey() });
      try {
        await client.health();
        const input = { subject: 'packed/consumer', predicate: 'alive', value: true, agent_id: 'packed' };
        const { id } = await client.assert(input);
        const page = await client.listAssertions({ subject: input.subject });
        assert.deepEqual(page.items.map((a) => [a.id, a.value]), [[id, true]]);
        // An unknown key: the error family, from the installed copy, says so.
        await assert.rejects(stranger.assert(input), (error) =>
          sdk.isStemeError(error) && error instanceof sdk.StemeAuthenticationError);
      } finally {
        await Promise.all([client.close(), stranger.close()]);
        await server.close();
      }`,
  },
  {
    specifier: '@stemedb/sdk/openapi.yaml',
    imports: {},
    body: `
      const text = fs.readFileSync(pathOf('@stemedb/sdk/openapi.yaml'), 'utf8');
      assert.match(text, /^openapi: 3\\.1\\.\\d+$/m);
      assert.match(text, /^  \\/v1\\/assertions:$/m);`,
  },
  {
    specifier: '@stemedb/emulator',
    imports: { emulator: '@stemedb/emulator' },
    body: `
      const server = await emulator.startEmulator({ port: 0 });
      try {
        assert.ok(server.port > 0);
        assert.equal((await fetch(server.url + '/v1/health')).status, 200);
        assert.equal((await fetch(server.url + '/v1/assertions')).status, 401);
        const listed = await fetch(server.url + '/v1/assertions?subject=packed',
          { headers: { 'x-api-key': server.rootApiKey } });
        assert.equal(listed.status, 200);
        assert.deepEqual((await listed.json()).items, []);
        const metrics = await (await fetch(server.url + '/metrics')).text();
        assert.match(metrics, /^# TYPE \\w+ /m);
        assert.deepEqual(server.requests().map((r) => r.status), [200, 401, 200, 200]);
      } finally {
        await server.close();
      }`,
  },
  {
    specifier: '@stemedb/manifests',
    imports: { manifests: '@stemedb/manifests' },
    body: `
      const objects = manifests.buildBundle({
        ingress: { host: 'stemedb.threesix.ai' }, image: { tag: '0.9.0' },
      });
      const kinds = objects.map((o) => o.kind);
      for (const kind of ['Namespace', 'Deployment', 'Service', 'IngressRoute', 'NetworkPolicy']) {
        assert.ok(kinds.includes(kind), kind + ' missing from ' + kinds.join(', '));
      }
      const yaml = manifests.renderYaml(objects);
      assert.deepEqual(manifests.parseYamlStream(yaml).map((o) => o.kind), kinds);
      // Loads the kubernetes-models validator of every kind from node_modules.
      const report = await manifests.validate(objects);
      assert.deepEqual(report.findings, []);`,
  },
  {
    specifier: '@stemedb/manifests/cluster',
    imports: { manifests: '@stemedb/manifests', cluster: '@stemedb/manifests/cluster' },
    body: `
      assert.equal(typeof cluster.applyObjects, 'function');
      assert.equal(typeof cluster.diffObjects, 'function');
      // @kubernetes/client-node comes along, and both entry points hand out one error class.
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'packed-kube-'));
      try {
        cluster.loadKubeConfig({ env: {}, homeDir: home, root: home });
        assert.fail('loadKubeConfig found a kubeconfig in an empty home');
      } catch (error) {
        assert.ok(error instanceof manifests.ClusterError, String(error));
        assert.equal(error.code, 'cluster/no-kubeconfig');
      }`,
  },
  {
    specifier: '@stemedb/manifests/schema/stemedb-config.schema.json',
    imports: { manifests: '@stemedb/manifests' },
    body: `
      const file = pathOf('@stemedb/manifests/schema/stemedb-config.schema.json');
      const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(schema.$id, manifests.CONFIG_SCHEMA_ID);
      assert.deepEqual(schema, manifests.configJsonSchema());`,
  },
  {
    specifier: '@stemedb/aphoria-client',
    imports: { aphoria: '@stemedb/aphoria-client', emulator: '@stemedb/emulator' },
    body: `
      const scan = aphoria.parseScan(${SCAN});
      const mapped = [...aphoria.scanToAssertions(scan)];
      assert.equal(mapped.length, 2); // the finding and the scan's summary
      assert.equal(aphoria.assertionCount(scan), 2);
      // SARIF input: ajv and the vendored OASIS schema come along in the installed copy.
      const sarif = aphoria.parseSarif(
        { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [{ ruleId: 'r', message: { text: 'm' } }] }] },
        { project: 'packed', commit: 'b'.repeat(40), branch: 'main', finishedAt: '2026-12-01T10:00:00Z' },
      );
      assert.equal(sarif.findings.length, 1);
      assert.throws(() => aphoria.parseSarif({ version: '2.1.0', runs: 'no' }, { project: 'packed' }),
        (error) => error.code === 'scan_invalid' && error.issues[0].path === 'runs');
      const server = await emulator.startEmulator();
      const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'packed-consumer-spool-'));
      try {
        const config = aphoria.createHostedConfig({
          url: server.url, apiKey: server.rootApiKey, spoolDir,
        });
        const first = await aphoria.persistScan(scan, { config, onWarning: () => {} });
        assert.deepEqual([first.total, first.sent, first.complete], [2, 2, true]);
        const commits = [];
        for await (const entry of aphoria.readScanHistory({ config, project: 'packed' })) {
          commits.push(entry.value.commit);
        }
        assert.deepEqual(commits, [scan.commit]);
      } finally {
        await server.close();
        fs.rmSync(spoolDir, { recursive: true, force: true });
      }`,
  },
  {
    specifier: '@stemedb/admin',
    imports: { admin: '@stemedb/admin', emulator: '@stemedb/emulator' },
    body: `
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packed-consumer-admin-'));
      const store = admin.createFileSecretStore({ path: path.join(dir, 'secrets.json') });
      try {
        const boot = await admin.bootstrap({ store, reveal: true });
        assert.equal(boot.created, true);
        const server = await emulator.startEmulator({ rootApiKey: boot.key });
        try {
          const checked = await admin.bootstrap({ store, check: true, url: server.url });
          assert.equal(checked.serverAccepts, true);
          const projects = ['alpha', 'beta'];
          const result = await admin.provision({ url: server.url, adminKey: boot.key, store, projects });
          assert.deepEqual(result.summary,
            { created: 2, replaced: 0, unchanged: 0, revoked: 0, retired: 0, failed: 0 });
          const alpha = await store.readLatest(admin.projectKeySecret('alpha'));
          assert.match(alpha, /^steme_live_[0-9a-f]{48}$/);
        } finally {
          await server.close();
        }
      } finally {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }`,
  },
  {
    specifier: '@stemedb/admin/testing',
    imports: { testing: '@stemedb/admin/testing', admin: '@stemedb/admin' },
    body: `
      // The Secret Manager stand-in loads its .proto files from the installed client libraries.
      const secretManager = await testing.startSecretManagerEmulator();
      const gcp = admin.createGcpSecretStore({ project: 'packed', endpoint: secretManager.endpoint });
      try {
        await gcp.writeVersion('stemedb-key-alpha', 'first');
        assert.equal(await gcp.readLatest('stemedb-key-alpha'), 'first');
        assert.deepEqual(secretManager.secretNames(), ['projects/packed/secrets/stemedb-key-alpha']);
      } finally {
        await gcp.close();
        await secretManager.close();
      }
      const token = 'packed-consumer-token';
      const cluster = await testing.startKubernetesSecretsServer({ namespaces: ['stemedb'], token });
      const k8s = admin.createK8sSecretStore({ namespace: 'stemedb', server: cluster.url, token });
      try {
        await k8s.writeVersion('stemedb-key-alpha', 'second');
        assert.equal(await k8s.readLatest('stemedb-key-alpha'), 'second');
      } finally {
        await k8s.close();
        await cluster.close();
      }`,
  },
];

/** A consumer's source for one module system; it prints `ok` when its body has run. */
export function consumerSource(consumer: Consumer, kind: ModuleKind): string {
  const bindings = Object.entries(consumer.imports);
  if (kind === 'esm') {
    return [
      "import assert from 'node:assert/strict';",
      "import * as fs from 'node:fs';",
      "import * as os from 'node:os';",
      "import * as path from 'node:path';",
      "import { fileURLToPath } from 'node:url';",
      ...bindings.map(([name, specifier]) => `import * as ${name} from '${specifier}';`),
      'const pathOf = (specifier) => fileURLToPath(import.meta.resolve(specifier));',
      consumer.body,
      "console.log('ok');",
      '',
    ].join('\n');
  }
  return [
    "'use strict';",
    "const assert = require('node:assert/strict');",
    "const fs = require('node:fs');",
    "const os = require('node:os');",
    "const path = require('node:path');",
    ...bindings.map(([name, specifier]) => `const ${name} = require('${specifier}');`),
    'const pathOf = (specifier) => require.resolve(specifier);',
    '(async () => {',
    consumer.body,
    '})().then(',
    "  () => console.log('ok'),",
    '  (error) => {',
    '    console.error(error);',
    '    process.exitCode = 1;',
    '  },',
    ');',
    '',
  ].join('\n');
}

/** The consumer's file name for one module system, e.g. `stemedb-admin-testing.mjs`. */
export function consumerFile(consumer: Consumer, kind: ModuleKind): string {
  const slug = consumer.specifier.replace(/^@/, '').replace(/[^a-z0-9]+/gi, '-');
  return `${slug}.${kind === 'esm' ? 'mjs' : 'cjs'}`;
}
