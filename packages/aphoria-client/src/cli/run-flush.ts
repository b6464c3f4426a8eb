/** `aphoria-hosted flush`: the CLI side of {@link flushSpool}. */
import { flushSpool } from '../flush.js';
import { type RunFlags, runSending } from './common.js';
import { type Io, printJson } from './io.js';
import { flushSummary } from './summary.js';

export async function runFlush(flags: RunFlags & { to?: string }, io: Io): Promise<void> {
  const result = await runSending(
    flags,
    io,
    async () => undefined,
    (_none, options) => flushSpool({ ...options, to: flags.to }),
  );
  if (flags.json === true) return printJson(io, result);
  io.stdout.write(
    `${result.scans === 0 ? `spool ${result.spoolDir}: empty, nothing to send` : flushSummary(result)}\n`,
  );
}
