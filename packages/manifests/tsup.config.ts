import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    // The validator finds its schemas relative to its own file: import.meta.url in ESM,
    // __filename in CJS; the shim gives the CJS build an import.meta.url too.
    shims: true,
  },
  {
    // The CLI is started through bin/, an ES module; it needs no CJS build or types.
    entry: ['src/cli.ts'],
    format: ['esm'],
    // A cold `render` must stay under 500 ms (issue #3 §6). The CLI carries its pure-JS
    // dependencies in its own files, tree-shaken: zod alone is ~95 ES modules to resolve and
    // compile otherwise. kubernetes-models stays outside (its validators are required by path,
    // one kind at a time), and so does client-node, which only apply and diff load.
    noExternal: [/^(zod|yaml|commander|@lezer\/[a-z]+|@prometheus-io\/lezer-promql)(\/|$)/],
    banner: {
      // Bundled CommonJS (commander) calls require(); an ES module has none of its own.
      js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);",
    },
    sourcemap: true,
    target: 'node20',
    platform: 'node',
  },
]);
