#!/usr/bin/env node
// A committed launcher, so package managers can link the bin before dist/ is built.
import module, { createRequire } from 'node:module';

// Node's on-disk cache of compiled code (Node 22.1+; absent on older lines, hence `?.`): a cold
// start then reads compiled code instead of compiling the CLI again. It must be enabled before
// the CLI is loaded; dist/cli-launch.cjs then loads the CLI with the code of the functions a run
// compiled as well (src/cli/launch.ts).
module.enableCompileCache?.();
createRequire(import.meta.url)('../dist/cli-launch.cjs');
