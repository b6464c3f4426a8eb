/** `aphoria-hosted persist <scan.json>`: the CLI side of {@link persistScan}. */
import { resolve } from 'node:path';
import { PersistIncompleteError } from '../errors.js';
import type { PersistResult } from '../persist/results.js';
import { persistScan } from '../persist.js';
import { readScanFile } from '../scan.js';
import { concurrencyOf, interruptSignal, loadConfig, type RunFlags } from './common.js';
import { type Io, printJson, warnLine } from './io.js';
import { startProgress } from './progress.js';
import { persistSummary } from './summary.js';

export async function runPersist(file: string, flags: RunFlags, io: Io): Promise<void> {
  const concurrency = concurrencyOf(flags);
  const config = await loadConfig(io);
  const scan = await readScanFile(resolve(io.cwd, file));
  const progress = await startProgress(io);
  const interrupt = interruptSignal(io);
  let result: PersistResult;
  try {
    result = await persistScan(scan, {
      config,
      concurrency,
      strict: flags.strict === true,
      onProgress: progress.onProgress,
      onWarning: (message) => {
        progress.stop();
        warnLine(io, message);
      },
      signal: interrupt.signal,
    });
  } catch (error) {
    // --strict and not all stored: scripts still get the result.
    if (error instanceof PersistIncompleteError && flags.json === true) {
      printJson(io, error.result);
    }
    throw error;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  if (flags.json === true) return printJson(io, result);
  io.stdout.write(`${persistSummary(result)}\n`);
}
