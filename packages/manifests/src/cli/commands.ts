/**
 * Every command's code, one module, imported when a command runs (program.ts): `--help` loads
 * none of it. The build makes it a file of its own, dist/cli-commands.cjs, loaded with the code
 * cache of the functions a run compiled (launch.ts says why).
 */
export { runApply, runDiff } from './cluster-commands.js';
export { runInit } from './init-command.js';
export { runLint } from './lint-command.js';
export { runRender } from './render-command.js';
export { runSchema } from './schema-command.js';
export { runValidate } from './validate-command.js';
