#!/usr/bin/env node
// A committed launcher, so package managers can link the bin before dist/ is built.
import module from 'node:module';

// Node's on-disk cache of compiled code (Node 22.1+; absent on older lines, hence `?.`): a cold
// start then reads compiled code instead of compiling the CLI bundle again. It must be enabled
// before the bundle is loaded, so the bundle is imported dynamically, after it.
module.enableCompileCache?.();
await import('../dist/cli.js');
