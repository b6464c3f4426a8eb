/** `aphoria-hosted persist <scan.json>`: the CLI side of {@link persistScan}. */
import { resolve } from 'node:path';
import { persistScan } from '../persist.js';
import { readScanFile } from '../scan.js';
import { type RunFlags, runSending } from './common.js';
import { type Io, printJson } from './io.js';
import { persistSummary } from './summary.js';

export async function runPersist(file: string, flags: RunFlags, io: Io): Promise<void> {
  const result = await runSending(
    flags,
    io,
    () => readScanFile(resolve(io.cwd, file)),
    (scan, options) => persistScan(scan, options),
  );
  if (flags.json === true) return printJson(io, result);
  io.stdout.write(`${persistSummary(result)}\n`);
}
