/**
 * Test support: an emulator on loopback port 0 with an admin client, and what the tests ask of
 * the server's state (the live keys of a label, whether a stored key works).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, type EmulatorOptions, startEmulator } from '@stemedb/emulator';
import { type ApiKeyInfo, StemeClient } from '@stemedb/sdk';
import type { ClientOptions } from '../../src/commands/context.js';
import { projectKeyLabel, projectKeySecret } from '../../src/stores/names.js';
import type { SecretStore } from '../../src/stores/types.js';

/** Short retry waits, so that a test of an outage takes a second rather than 14. */
export const FAST_RETRY: ClientOptions = {
  retry: { delays: [100, 200, 400, 800, 1600], jitter: 0 },
};

/** An emulator and an admin client for it. */
export interface TestServer {
  emulator: Emulator;
  url: string;
  rootKey: string;
  admin: StemeClient;
  /** Live keys of `project-<name>`. */
  liveKeys(project: string): Promise<ApiKeyInfo[]>;
  close(): Promise<void>;
}

/** Starts an emulator on port 0. */
export async function startServer(options: EmulatorOptions = {}): Promise<TestServer> {
  const emulator = await startEmulator(options);
  const admin = new StemeClient({
    baseUrl: emulator.url,
    apiKey: emulator.rootApiKey,
    retry: false,
  });
  return {
    emulator,
    url: emulator.url,
    rootKey: emulator.rootApiKey,
    admin,
    async liveKeys(project) {
      const { keys } = await admin.admin.listApiKeys();
      return keys.filter((k) => k.label === projectKeyLabel(project) && k.revoked_at === null);
    },
    async close() {
      await admin.close();
      await emulator.close();
    },
  };
}

/**
 * The invariant provision converges to, per project: exactly one live key for the label, and
 * it is the store's latest version. Resolves with the projects that break it (empty: all good).
 */
export async function brokenProjects(
  server: TestServer,
  store: SecretStore,
  projects: readonly string[],
): Promise<string[]> {
  const broken: string[] = [];
  const { keys } = await server.admin.admin.listApiKeys();
  for (const project of projects) {
    const live = keys.filter((k) => k.label === projectKeyLabel(project) && k.revoked_at === null);
    const stored = await store.readLatest(projectKeySecret(project));
    const { hashApiKey } = await import('@stemedb/sdk');
    const ok = live.length === 1 && stored !== undefined && live[0]!.hash === hashApiKey(stored);
    if (!ok) broken.push(`${project} (${live.length} live)`);
  }
  return broken;
}

/** Whether `key` can write to the server. */
export async function keyWorks(url: string, key: string): Promise<boolean> {
  const client = new StemeClient({ baseUrl: url, apiKey: key, retry: false });
  try {
    await client.assert({
      subject: 'test/key-works',
      predicate: 'alive',
      value: true,
      agent_id: 'test',
    });
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** A temp directory under os.tmpdir(), removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `stemedb-admin-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
