/** A spool made the way an outage makes one: every assertion of a scan left unsent. */
import type { Emulator } from '@stemedb/emulator';
import { persistScan } from '../../src/index.js';
import type { HostedConfig } from '../../src/types.js';
import { INSTANT_RETRY, makeScan } from '../support/persist.js';

/** Persists `makeScan(findings, seed)` while `emu` answers 503: the whole scan is spooled. */
export async function spoolWholeScan(
  emu: Emulator,
  config: HostedConfig,
  findings: number,
  seed: string,
): Promise<ReturnType<typeof makeScan>> {
  const scan = makeScan(findings, seed);
  emu.faults.outage({ ms: 60_000, mode: 503 });
  try {
    const result = await persistScan(scan, {
      config,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
    });
    if (result.spooled !== findings + 1) throw new Error(`spooled ${result.spooled}`);
  } finally {
    emu.faults.clear();
  }
  return scan;
}
