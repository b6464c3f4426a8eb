/**
 * Waiting for a port to open or close: the emulator stops and starts listening
 * asynchronously (refuse outages, restarts), so a test waits for the state it needs.
 */
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once 127.0.0.1:`port` accepts (or, with `open: false`, refuses) connections. */
export async function waitForPort(port: number, open = true, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await accepts(port)) === open) return;
    await delay(10);
  }
  throw new Error(`port ${port} did not ${open ? 'open' : 'close'} within ${timeoutMs} ms`);
}
