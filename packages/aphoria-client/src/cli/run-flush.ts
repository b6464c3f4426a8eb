/** `aphoria-hosted flush`: the CLI side of {@link flushSpool}. */
import { PersistIncompleteError } from '../errors.js';
import { flushSpool } from '../flush.js';
import type { FlushResult } from '../persist/results.js';
import { concurrencyOf, interruptSignal, loadConfig, type RunFlags } from './common.js';
import { type Io, printJson, warnLine } from './io.js';
import { startProgress } from './progress.js';
import { flushSummary } from './summary.js';

export async function runFlush(flags: RunFlags, io: Io): Promise<void> {
  const concurrency = concurrencyOf(flags);
  const config = await loadConfig(io);
  const progress = await startProgress(io);
  const interrupt = interruptSignal(io);
  let result: FlushResult;
  try {
    result = await flushSpool({
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
    if (error instanceof PersistIncompleteError && flags.json === true) {
      printJson(io, error.result);
    }
    throw error;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  if (flags.json === true) return printJson(io, result);
  io.stdout.write(
    `${result.scans === 0 ? `spool ${result.spoolDir}: empty, nothing to send` : flushSummary(result)}\n`,
  );
}
