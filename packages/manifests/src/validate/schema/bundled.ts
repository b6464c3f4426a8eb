/**
 * The validators the builds carry (bundled-models.ts), loaded from `dist/bundled-models.cjs` when
 * the first object is validated. The CLI and library builds define `__STEMEDB_CLI_BUNDLE__` as
 * true (tsup.config.ts); run from source (tests) it is undefined and every kind is required by
 * path from node_modules (models.ts).
 *
 * The file is CommonJS, one file with no imports of ours, so the ES module and CommonJS builds
 * load the same copy as CommonJS (no `require()` of an ES module, which a loader that compiles
 * required ES modules itself, such as tsx, would resolve with the wrong conditions), with the
 * code cache of the functions a run compiled when Node's compile cache is on (code-cache.ts).
 */
import { requireBuilt } from '../../shared/code-cache.js';

declare const __STEMEDB_CLI_BUNDLE__: boolean | undefined;

/** The built file, beside the chunk this module lands in (every chunk is in dist/). */
const FILE = './bundled-models.cjs';

let table: Readonly<Record<string, () => unknown>> | undefined;

/** The loader of `apiVersion kind`'s module in the build, or undefined (source, or not carried). */
export function bundledModel(key: string): (() => unknown) | undefined {
  if (typeof __STEMEDB_CLI_BUNDLE__ === 'undefined' || !__STEMEDB_CLI_BUNDLE__) return undefined;
  if (!table) {
    const from = typeof __filename === 'string' ? __filename : import.meta.url;
    table = (requireBuilt(FILE, from) as { bundledModels: Readonly<Record<string, () => unknown>> })
      .bundledModels;
  }
  return table[key];
}
