// The emulator as a bench target, in its own process (target.ts forks it) so its CPU and memory
// are not the client's. Rate limiting is off: the bench measures clients, not token buckets.

import { startEmulator } from '@stemedb/emulator';
import type { ServerReady } from './protocol.js';

const emulator = await startEmulator({ port: 0, rateLimit: false });
const ready: ServerReady = { type: 'ready', url: emulator.url, apiKey: emulator.rootApiKey };
process.send?.(ready);

process.on('disconnect', () => {
  void emulator.close().finally(() => process.exit(0));
});
