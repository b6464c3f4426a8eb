#!/usr/bin/env node
/**
 * `stemedb-manifests`: render, validate, lint, diff and apply StemeDB's Kubernetes deployment
 * (the roadmap's hand-applied manifests, as one command line). This entry imports only the
 * command line's definition, so that a command starts without loading the others; each command
 * loads what it needs when it runs (program.ts).
 */
import { createRequire } from 'node:module';
import { main } from './program.js';

// The package's own package.json by its exported name (a self-reference), so the same line
// serves src/cli/ under tsx and the built dist/cli.cjs.
const { version } = createRequire(import.meta.url)('@stemedb/manifests/package.json') as {
  version: string;
};

// `render | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// No top-level await: the build is CommonJS (launch.ts says why).
void main(process.argv, version).then((code) => {
  process.exitCode = code;
});
