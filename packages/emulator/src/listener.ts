import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Owns the listening socket and every connection, so the emulator can stop listening for a
 * `refuse` outage (clients then see ECONNREFUSED), listen again on the same port, and close
 * without waiting for idle keep-alive sockets.
 */
export class Listener {
  readonly #sockets = new Set<Socket>();
  #listening = false;
  #stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly server: Server,
    private readonly host: string,
  ) {
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  get listening(): boolean {
    return this.#listening;
  }

  /** Binds `port` (0 for an ephemeral one) and resolves with the port bound. */
  async listen(port: number): Promise<number> {
    // After a stop, the old handle's close must complete before the port is bound again.
    await this.#stopped;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        this.#listening = true;
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /**
   * Stops accepting connections at once and destroys the open ones. The listening socket is
   * closed synchronously, so a connect right after this call is already refused.
   */
  stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.#listening) return resolve();
      this.server.close(() => resolve());
    });
    this.#listening = false;
    this.#stopped = closed;
    this.destroyConnections();
    return closed;
  }

  /** Destroys every open connection (in-flight requests included). */
  destroyConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}
