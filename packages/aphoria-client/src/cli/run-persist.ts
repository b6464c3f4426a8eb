/** `aphoria-hosted persist <scan.json|results.sarif>`: the CLI side of {@link persistScan}. */
import { persistScan, persistScanFile } from '../persist.js';
import { type RunFlags, runSending } from './common.js';
import { type Io, printJson } from './io.js';
import { readScanInput, type ScanInputFlags } from './scan-input.js';
import { persistSummary } from './summary.js';

export async function runPersist(
  file: string,
  flags: RunFlags & ScanInputFlags,
  io: Io,
): Promise<void> {
  const result = await runSending(
    flags,
    io,
    (config) => readScanInput(file, flags, io, config),
    (input, options) =>
      'path' in input ? persistScanFile(input.path, options) : persistScan(input.scan, options),
  );
  if (flags.json === true) return printJson(io, result);
  io.stdout.write(`${persistSummary(result)}\n`);
}
