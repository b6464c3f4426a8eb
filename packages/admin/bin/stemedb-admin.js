#!/usr/bin/env node
// A committed launcher, so package managers can link the bin before dist/ is built.
import module from 'node:module';

// Node's on-disk cache of compiled code (Node 22.1+; absent on older lines, hence `?.`): a run
// that talks to a store loads google-gax, gRPC, protobufjs, the SDK, undici and zod, and with
// the cache reads their compiled top level instead of compiling it again. It must be enabled
// before anything else is loaded, so the CLI is imported dynamically, after it.
module.enableCompileCache?.();
await import('../dist/cli.js');
