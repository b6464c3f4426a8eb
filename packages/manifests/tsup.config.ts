import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

// esbuild's Plugin type, through tsup (esbuild is tsup's dependency, not ours).
type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Keeps only the English messages of the localised packages the CLI carries: zod's
 * `z.locales` namespace (~50 locales, over half of zod's bundled size; zod itself sets `en`
 * from `locales/en.js` directly, and we never call `z.config` with another) and ajv-i18n, whose
 * `en` is the only locale @kubernetes-models/validate uses. The library build is untouched.
 */
const englishOnly: Plugin = {
  name: 'english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]ajv-i18n[\\/]localize[\\/]index\.js$/ }, () => ({
      contents: 'module.exports = { en: require("./en") };',
      loader: 'js',
    }));
  },
};

/**
 * Resolves a bare `punycode` to the userland package that the importing module depends on.
 * `ajv-formats-draft2019` (pulled in by the kubernetes-models validators) calls
 * `require('punycode')`; esbuild on `platform: 'node'` leaves a bare builtin name external, so
 * at run time it loads Node's own deprecated module, and Node 22+ prints DEP0040 on every CLI run
 * (it warns for callers outside node_modules, which a bundle is). The trailing slash of
 * `punycode/` makes resolution skip the builtin, as the package's README recommends.
 */
const userlandPunycode: Plugin = {
  name: 'userland-punycode',
  setup(build) {
    build.onResolve({ filter: /^punycode$/ }, (args) => ({
      path: createRequire(join(args.resolveDir, 'index.js')).resolve('punycode/'),
    }));
  },
};

/**
 * Commander imports `node:child_process` at load, for executable subcommands (a command run as a
 * program of its own), which this CLI does not have; loading the builtin cost every run ~5 ms.
 * Its import in commander is given a stand-in that loads the builtin when `spawn` is called.
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(build) {
    const IMPORT = "import childProcess from 'node:child_process';";
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      // A commander that imports it otherwise fails the build rather than load it eagerly.
      if (!source.includes(IMPORT)) throw new Error(`${args.path} no longer has: ${IMPORT}`);
      const lazy =
        "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(IMPORT, lazy), loader: 'js' };
    });
  },
};

/**
 * Resolves the literal `require()`s of bundled-models.ts as imports. kubernetes-models 5 and
 * @kubernetes-models/* 2+ export their kinds under the `import` condition only, so esbuild's
 * `require` resolution finds nothing; resolved as an import, esbuild bundles the ES module and
 * wraps it for the synchronous `require` the validators need.
 */
const esmOnlyModels: Plugin = {
  name: 'esm-only-models',
  setup(build) {
    build.onResolve(
      { filter: /^(kubernetes-models|@kubernetes-models\/[a-z-]+)\// },
      async (args) => {
        if (args.kind !== 'require-call') return undefined;
        const found = await build.resolve(args.path, {
          kind: 'import-statement',
          resolveDir: args.resolveDir,
          importer: args.importer,
        });
        return found.errors.length > 0 ? { errors: found.errors } : { path: found.path };
      },
    );
  },
};

/**
 * The files src/shared/code-cache.ts loads (bundled-models, promql-parser, cli, cli-commands)
 * are written in ASCII, non-ASCII characters escaped: read as Latin-1 they need no UTF-8
 * decoding, which cost a cold render several ms per MB.
 */
const asciiOutput: Options['esbuildOptions'] = (options) => {
  options.charset = 'ascii';
};

/**
 * esbuild's `charset: 'ascii'` escapes code, strings and regular expressions but keeps the
 * comments it carries as they are: their non-ASCII characters (a dash, a times sign) become `?`,
 * one UTF-16 unit for one, so the source maps' columns stay right.
 */
function asciiComments(...files: string[]): () => Promise<void> {
  return async () => {
    for (const file of files) {
      const path = join(import.meta.dirname, 'dist', file);
      const text = await readFile(path, 'utf8');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, by definition
      const ascii = text.replace(/[^\x00-\x7f]/g, '?');
      if (ascii !== text) await writeFile(path, ascii);
    }
  };
}

/** A `require` for an ES module build that carries CommonJS dependencies. */
const CREATE_REQUIRE =
  "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);";

/** Pure-JS dependencies the builds carry in their own files (see the comments below). */
/**
 * The kubernetes-models modules bundled-models.ts requires, and the import-only packages they
 * and the generated Longhorn validator import.
 */
const BUNDLED_MODELS = [
  /^(kubernetes-models|@kubernetes-models\/(traefik|prometheus-operator|external-secrets|cert-manager))\//,
  /^@kubernetes-models\/(apimachinery|base|validate)(\/|$)/,
];

const PURE_JS_DEPENDENCIES = [/^(zod|yaml|@lezer\/[a-z]+|@prometheus-io\/lezer-promql)(\/|$)/];

export default defineConfig([
  {
    // The validators of the kinds the bundle holds (src/validate/schema/bundled-models.ts), one
    // CommonJS file that both library formats and the CLI require when the first object is
    // validated (src/validate/schema/bundled.ts): about 1 MB of generated code that a
    // `require('@stemedb/manifests')` compiled in its entry chunk otherwise, validating or not.
    // kubernetes-models 5 and @kubernetes-models/* 2 are ES modules exported under `import`
    // only; esbuild carries them wrapped for the synchronous `require` the validators need.
    // The PromQL parser likewise (src/validate/promql-parser.ts, ~200 KB with its runtime),
    // required by src/validate/promql.ts when the first expression is parsed.
    entry: {
      'bundled-models': 'src/validate/schema/bundled-models.ts',
      'promql-parser': 'src/validate/promql-parser.ts',
    },
    format: ['cjs'],
    noExternal: [...BUNDLED_MODELS, ...PURE_JS_DEPENDENCIES],
    esbuildPlugins: [englishOnly, userlandPunycode, esmOnlyModels],
    esbuildOptions: asciiOutput,
    onSuccess: asciiComments('bundled-models.cjs', 'promql-parser.cjs'),
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
  {
    // Two entry points: only `cluster` loads @kubernetes/client-node (src/cluster/index.ts).
    entry: { index: 'src/index.ts', cluster: 'src/cluster/index.ts' },
    format: ['esm', 'cjs'],
    // Shared code (ClusterError above all) in shared chunks, for CJS too, so that an error
    // thrown by the cluster entry is `instanceof` the class the main entry exports.
    splitting: true,
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    // The validator finds its schemas relative to its own file: import.meta.url in ESM,
    // __filename in CJS; the shim gives the CJS build an import.meta.url too.
    shims: true,
    // The library loads the kubernetes-models validators of the kinds the bundle holds from
    // dist/bundled-models.cjs (the first build above), as the CLI does: those packages are ES
    // modules exported under `import` only, and a loader that compiles required ES modules
    // itself (tsx, which users run scripts with) resolves their own imports as requires, which
    // they refuse. Other kinds (lint of foreign manifests) are still required by path from
    // node_modules.
    define: { __STEMEDB_CLI_BUNDLE__: 'true' },
    // `require('@stemedb/manifests')` must stay within 2.5x a bare node start (bench/
    // manifests-render.ts): zod and yaml are ~170 small modules to resolve, read and compile one
    // by one otherwise. Carried here tree-shaken, as the CLI does; they stay dependencies for
    // the types the declarations name.
    noExternal: PURE_JS_DEPENDENCIES,
    esbuildPlugins: [englishOnly, userlandPunycode, esmOnlyModels],
    // yaml is CommonJS and calls require() when first used; the ES module build has none of
    // its own (the CommonJS build does, and must not declare a second).
    banner: ({ format }) => (format === 'esm' ? { js: CREATE_REQUIRE } : {}),
  },
  {
    // The CLI: bin/ loads dist/cli-launch.cjs, which loads dist/cli.cjs (the command line and its
    // help) with the code cache of the functions a run compiled (src/cli/launch.ts,
    // src/shared/code-cache.ts); a command loads dist/cli-commands.cjs, the commands' code, the
    // same way (src/cli/program.ts). CommonJS, since a script (unlike an ES module) can be
    // compiled with V8's cached data; two files, so that `--help` reads none of the commands.
    entry: {
      cli: 'src/cli/index.ts',
      'cli-commands': 'src/cli/commands.ts',
      'cli-launch': 'src/cli/launch.ts',
    },
    format: ['cjs'],
    // A cold `render` has a budget (README, "Speed"). The CLI carries its pure-JS dependencies in
    // its own file, tree-shaken: zod alone is ~95 ES modules to resolve and compile otherwise.
    // The validators of the kinds `render` emits come from dist/bundled-models.cjs (the first
    // build above, enabled by the define below), with their runtime (ajv formats etc.): hundreds
    // of small CommonJS files otherwise. Other kinds are still required by path from
    // node_modules, one at a time; client-node, which only apply and diff load, stays outside.
    noExternal: [...PURE_JS_DEPENDENCIES, /^(commander|croner)(\/|$)/],
    define: { __STEMEDB_CLI_BUNDLE__: 'true' },
    esbuildPlugins: [englishOnly, userlandPunycode, esmOnlyModels, lazyChildProcess],
    esbuildOptions: asciiOutput,
    onSuccess: asciiComments('cli.cjs', 'cli-commands.cjs', 'cli-launch.cjs'),
    // import.meta.url for the CommonJS file (the version's self-reference in src/cli/index.ts).
    shims: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
]);
