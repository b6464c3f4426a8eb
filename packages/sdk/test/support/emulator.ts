/**
 * One emulator per test file, over real loopback HTTP on port 0, and clients that are closed
 * after each test.
 */
import { type Emulator, type EmulatorOptions, startEmulator } from '@stemedb/emulator';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { StemeClient, type StemeClientOptions } from '../../src/index.js';
import { waitForPort } from './port.js';

export interface EmulatorContext {
  /** The running emulator (set in beforeAll). */
  emu: Emulator;
  /** A client of it, closed after the test; the root key unless `apiKey` says otherwise. */
  client(options?: Partial<StemeClientOptions>): StemeClient;
}

/** Starts an emulator for the file; clears its faults and closes clients after each test. */
export function useEmulator(options: EmulatorOptions = {}): EmulatorContext {
  const clients: StemeClient[] = [];
  const ctx: EmulatorContext = {
    emu: undefined as unknown as Emulator,
    client(over = {}) {
      const client = new StemeClient({ baseUrl: ctx.emu.url, apiKey: ctx.emu.rootApiKey, ...over });
      clients.push(client);
      return client;
    },
  };
  beforeAll(async () => {
    ctx.emu = await startEmulator({ port: 0, ...options });
  });
  afterEach(async () => {
    ctx.emu.faults.clear();
    await waitForPort(ctx.emu.port); // a refuse outage ends asynchronously
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await ctx.emu?.close();
  });
  return ctx;
}

/** The assertion the roadmap's gate test writes. */
export const PING = { subject: 'test/ping', predicate: 'alive', value: true, agent_id: 'test' };
