/**
 * Test support for `gate --restart-cmd`: an emulator that a shell command can restart on the
 * same port, through a control server on loopback (`GET /restart`). How the new emulator comes
 * up is the test's choice: with its data dir and root key (a healthy restart), without its data
 * dir (keys lost), or without its root key as well (the root key lost: not seeded at boot).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Emulator, type EmulatorOptions, startEmulator } from '@stemedb/emulator';

/** A restartable emulator. */
export interface Restartable {
  url: string;
  rootKey: string;
  /** A shell command that restarts it and exits 0 once it serves again. */
  restartCmd: string;
  restarts: number;
  close(): Promise<void>;
}

/**
 * Starts an emulator with `first`, and on each restart one with `next(port)` on the same port.
 */
export async function startRestartable(
  first: EmulatorOptions,
  next: (port: number) => EmulatorOptions,
): Promise<Restartable> {
  let emulator: Emulator = await startEmulator(first);
  const port = emulator.port;
  const state = { restarts: 0 };
  const control: Server = createServer((req, res) => {
    if (req.url !== '/restart') {
      res.writeHead(404).end();
      return;
    }
    emulator
      .close()
      .then(() => startEmulator({ ...next(port), port }))
      .then(
        (started) => {
          emulator = started;
          state.restarts += 1;
          res.writeHead(200).end('restarted\n');
        },
        (error: Error) => res.writeHead(500).end(`${error.message}\n`),
      );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const controlPort = (control.address() as AddressInfo).port;
  const script = `fetch('http://127.0.0.1:${controlPort}/restart').then(async (r) => { console.log(await r.text()); process.exit(r.ok ? 0 : 1); })`;
  return {
    url: emulator.url,
    rootKey: emulator.rootApiKey,
    restartCmd: `${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`,
    get restarts() {
      return state.restarts;
    },
    async close() {
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await emulator.close();
    },
  };
}
