/**
 * What the bin starts: the bundled CLI (dist/cli.cjs, built from index.ts) with the code cache of
 * the functions a run compiled (shared/code-cache.ts), when Node's compile cache is on (the bin
 * turns it on). Node's own cache holds a file's top level only, and a command's time goes mostly
 * to functions (zod, yaml, the rules) that a cold start compiled again on every run.
 *
 * A file of its own, so that the cache's loader is loaded before the CLI it loads; the CLI is one
 * CommonJS file for the same reason: a script, unlike an ES module, can be compiled with V8's
 * cached data from here (`node:vm`).
 */
import { requireBuilt } from '../shared/code-cache.js';

requireBuilt('./cli.cjs', __filename);
