/**
 * Only `@stemedb/manifests/cluster` loads @kubernetes/client-node: it costs more to load than the
 * rest of the package together, and the main entry point is what render,
 * validate and every library user load. Checked on the built package, as a user loads it: a
 * child process requires or imports each entry point with a module hook (`module.registerHooks`,
 * which sees `require` and `import` alike) that records every module resolved.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freshDir, PACKAGE } from './support/cli.js';

const HOOKS = `import module from 'node:module';
import { appendFileSync } from 'node:fs';
if (typeof module.registerHooks !== 'function') throw new Error('module.registerHooks is missing: Node 22.15+ is needed');
module.registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    appendFileSync(process.env.RESOLVED_LOG, result.url + '\\n');
    return result;
  },
});
`;

/** The URLs of every module `code` (run with `node -e`) resolved. */
async function resolvedBy(code: string): Promise<string[]> {
  const dir = freshDir();
  const hooks = `${dir}-hooks.mjs`;
  const log = `${dir}-resolved.log`;
  writeFileSync(hooks, HOOKS);
  writeFileSync(log, '');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(hooks).href, '-e', code],
      { cwd: PACKAGE, env: { PATH: process.env.PATH, RESOLVED_LOG: log } },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
    );
  });
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const CJS = JSON.stringify(join(PACKAGE, 'dist/index.cjs'));
const ESM = JSON.stringify(pathToFileURL(join(PACKAGE, 'dist/index.js')).href);
const CLUSTER_CJS = JSON.stringify(join(PACKAGE, 'dist/cluster.cjs'));
const CLUSTER_ESM = JSON.stringify(pathToFileURL(join(PACKAGE, 'dist/cluster.js')).href);

const clientNode = (urls: string[]) => urls.filter((u) => u.includes('@kubernetes/client-node'));

/** Renders and validates a bundle with the loaded module `m`: the bundled CommonJS code runs. */
const USE = `const b = m.buildBundle({ ingress: { host: 'stemedb.threesix.ai' }, image: { tag: '0.9.0' } });
m.renderYaml(b); m.validate(b);`;

describe('the main entry point', () => {
  it.each([
    ['require', `const m = require(${CJS}); ${USE}`],
    ['import', `import(${ESM}).then((m) => { ${USE} })`],
  ])('renders and validates without loading @kubernetes/client-node (%s)', async (_how, code) => {
    const urls = await resolvedBy(code);
    // The entry point itself was resolved through the hook, so the hook saw the graph.
    expect(urls.some((u) => /\/dist\/index\.c?js$/.test(u))).toBe(true);
    expect(clientNode(urls)).toEqual([]);
  });
});

/** The files the builds load when first needed: the validators and the PromQL parser. */
const lazyFiles = (urls: string[]) =>
  urls.filter((u) => /\/dist\/(bundled-models|promql-parser)\.cjs$/.test(u)).sort();
/** A kubernetes-models file from node_modules (not from the build's own copy). */
const modelFiles = (urls: string[]) => urls.filter((u) => /\/kubernetes-models\//.test(u));

describe('the validators and the PromQL parser the build carries', () => {
  it.each([
    ['require', `require(${CJS})`],
    ['import', `import(${ESM})`],
  ])('are not loaded by loading the entry point (%s)', async (_how, code) => {
    const urls = await resolvedBy(code);
    expect(urls.some((u) => /\/dist\/index\.c?js$/.test(u))).toBe(true);
    expect(lazyFiles(urls)).toEqual([]);
  });

  it.each([
    ['require', `const m = require(${CJS}); ${USE}`],
    ['import', `import(${ESM}).then((m) => { ${USE} })`],
  ])(
    'are loaded by the first validation, instead of node_modules files (%s)',
    async (_how, code) => {
      const urls = await resolvedBy(code);
      expect(lazyFiles(urls).map((u) => u.slice(u.lastIndexOf('/') + 1))).toEqual([
        'bundled-models.cjs',
        'promql-parser.cjs',
      ]);
      expect(modelFiles(urls)).toEqual([]);
    },
  );
});

describe('the cluster entry point', () => {
  it.each([
    ['require', `require(${CLUSTER_CJS})`],
    ['import', `import(${CLUSTER_ESM})`],
  ])('does load it (the check above can see it) (%s)', async (_how, code) => {
    expect(clientNode(await resolvedBy(code)).length).toBeGreaterThan(0);
  });

  it('throws the ClusterError the main entry point exports (one class across entry points)', async () => {
    const code = `const main = require(${CJS}); const cluster = require(${CLUSTER_CJS});
if (main.ClusterError !== cluster.ClusterError) throw new Error('two ClusterError classes (cjs)');
Promise.all([import(${ESM}), import(${CLUSTER_ESM})]).then(([m, c]) => {
  if (m.ClusterError !== c.ClusterError) { console.error('two ClusterError classes (esm)'); process.exit(1); }
});`;
    await expect(resolvedBy(code)).resolves.toBeDefined();
  });
});
