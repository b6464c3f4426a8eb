#!/usr/bin/env node
/**
 * `aphoria-hosted`: persist, flush and status for CI jobs (issue 7 §4). This entry imports only
 * the command line's definition; each command loads what it needs when it runs
 * (src/cli/program.ts).
 */
import { createRequire } from 'node:module';
import { main } from './cli/program.js';

// ../package.json from src/ (tsx) and from dist/ (the bin) alike.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

// `status | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv, version);
