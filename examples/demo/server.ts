/**
 * The StemeDB the demo runs against: the emulator in-process with auth on, its data in a
 * directory, restartable on the same port (a pod restart), or on a fresh directory (the risk
 * register's disaster: a new volume, every key gone).
 */
import { type Emulator, startEmulator } from '@stemedb/emulator';

/** The emulator, and how to restart it. */
export interface DemoServer {
  readonly url: string;
  readonly emulator: Emulator;
  /** Restarts on the same port, with `dataDir` (the same one: a pod restart; another: a disaster). */
  restart(dataDir: string): Promise<void>;
  /** Stops it (a pod gone); `start` brings it back on the same port with `dataDir`. */
  stop(): Promise<void>;
  start(dataDir: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Per key: a scan of the demo's size stays under the burst, and the gate (400 requests on one
 * key, as fast as it can) still drives its key past it.
 */
const RATE_LIMIT = { burst: 200, perSecond: 100 } as const;

export async function startDemoServer(rootApiKey: string, dataDir: string): Promise<DemoServer> {
  let emulator = await startEmulator({ rootApiKey, dataDir, auth: true, rateLimit: RATE_LIMIT });
  const port = emulator.port;
  return {
    url: emulator.url,
    get emulator() {
      return emulator;
    },
    async restart(next: string) {
      await emulator.close();
      emulator = await startEmulator({ rootApiKey, dataDir: next, port, rateLimit: RATE_LIMIT });
    },
    stop: () => emulator.close(),
    async start(next: string) {
      emulator = await startEmulator({ rootApiKey, dataDir: next, port, rateLimit: RATE_LIMIT });
    },
    close: () => emulator.close(),
  };
}
