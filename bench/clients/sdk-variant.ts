// A copy of the SDK built by bench/shortcuts (one shortcut removed, or none), driven like
// sdk.ts drives the real one: `assert` one at a time.

import { pathToFileURL } from 'node:url';
import type { AssertionInput } from '../protocol.js';
import type { DriverFactory } from './driver.js';

interface VariantModule {
  StemeClient: new (options: {
    baseUrl: string;
    apiKey: string;
  }) => {
    assert(input: AssertionInput): Promise<unknown>;
    close(): Promise<void>;
  };
}

/** The driver of variant `name` (`sdk@<name>`). */
export async function variantFactory(name: string): Promise<DriverFactory> {
  const dir = process.env.STEMEDB_BENCH_VARIANTS_DIR;
  if (!dir)
    throw new Error('sdk@variant: STEMEDB_BENCH_VARIANTS_DIR is not set (run bench/shortcuts.ts)');
  const mod = (await import(pathToFileURL(`${dir}${name}/index.js`).href)) as VariantModule;
  return (target) => {
    const sdk = new mod.StemeClient({ baseUrl: target.url, apiKey: target.apiKey });
    return {
      async send(input: AssertionInput) {
        await sdk.assert(input);
      },
      close: () => sdk.close(),
    };
  };
}
