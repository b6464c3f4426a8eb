/**
 * A project's side, through @stemedb/aphoria-client (what `aphoria scan --persist` imports):
 * its `.aphoria/config.toml` from the onboarding snippet, scans persisted, a deploy ridden out,
 * a long outage spooled and flushed, and the read-back that proves every finding is there once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onboard, projectKeySecret, type SecretStore } from '@stemedb/admin';
import {
  assertionCount,
  assertionIdentity,
  flushSpool,
  type HostedConfig,
  loadHostedConfig,
  type PersistResult,
  persistScan,
  type Scan,
  scanAgentId,
} from '@stemedb/aphoria-client';
import type { Emulator } from '@stemedb/emulator';
import { StemeClient } from '@stemedb/sdk';
import { say } from './output.js';

/** Prints the onboarding instructions and writes the project's config; returns the config. */
export async function onboardProject(
  store: SecretStore,
  url: string,
  project: string,
  projectDir: string,
  options: { print: boolean },
): Promise<HostedConfig> {
  const instructions = await onboard({ store, url, project });
  if (options.print) {
    say(`.aphoria/config.toml for ${project}:`);
    for (const line of instructions.config.trimEnd().split('\n')) say(`  ${line}`);
    say(`CI variable: ${instructions.ciVariable}  (fetch: ${instructions.fetchCommand})`);
  }
  await mkdir(join(projectDir, '.aphoria'), { recursive: true });
  await writeFile(join(projectDir, '.aphoria', 'config.toml'), instructions.config);
  // The key lives only in the environment, as the CI variable would hold it.
  const key = await store.readLatest(projectKeySecret(project));
  return loadHostedConfig({ cwd: projectDir, env: { [instructions.ciVariable]: key } });
}

/** What a demo persist does besides sending: a deploy to start mid-run, a deadline. */
export interface PersistDemoOptions {
  /** Starts a 503 window of `ms` once `after` assertions are done (a deploy). */
  outage?: { emulator: Emulator; after: number; ms: number };
  /** The run's deadline (`aphoria-hosted persist --timeout`): what is left then is spooled. */
  timeoutMs?: number;
}

/** Persists `scan`, optionally with a deploy mid-run or a deadline. */
export async function persist(
  scan: Scan,
  config: HostedConfig,
  options: PersistDemoOptions = {},
): Promise<PersistResult> {
  const { outage, timeoutMs } = options;
  let injected = false;
  const result = await persistScan(scan, {
    config,
    ...(timeoutMs !== undefined && { timeoutMs }),
    onWarning: (message) => say(`warning: ${message}`),
    onProgress: (p) => {
      if (outage && !injected && p.phase === 'persist' && p.done >= outage.after) {
        injected = true;
        say(
          `deploy: StemeDB answers 503 for ${outage.ms / 1000} s (assertion ${p.done} of ${p.total})`,
        );
        outage.emulator.faults.outage({ ms: outage.ms, mode: 503 });
      }
    },
  });
  const seconds = (result.durationMs / 1000).toFixed(1);
  say(
    `${scan.project}: ${result.total} assertions, sent ${result.sent}, already there ${result.alreadyPresent}, spooled ${result.spooled} (${seconds} s)`,
  );
  return result;
}

/** Flushes the project's spool (what the next run does first). */
export async function flush(config: HostedConfig): Promise<number> {
  const result = await flushSpool({ config, onWarning: (m: string) => say(`warning: ${m}`) });
  say(`flush: sent ${result.sent}, already there ${result.alreadyPresent}, left ${result.spooled}`);
  return result.sent;
}

/**
 * Reads the scan's assertions back and checks each one is stored exactly once; returns how
 * many there are.
 */
export async function readBack(config: HostedConfig, scan: Scan, scanId: string): Promise<number> {
  const client = new StemeClient({ baseUrl: config.url, apiKey: config.apiKey });
  try {
    const seen = new Map<string, number>();
    for await (const a of client.iterateAssertions({
      agent_id: scanAgentId(scanId),
      limit: 1000,
    })) {
      const identity = assertionIdentity(a);
      seen.set(identity, (seen.get(identity) ?? 0) + 1);
    }
    const twice = [...seen.values()].filter((n) => n > 1).length;
    const want = assertionCount(scan);
    if (seen.size !== want || twice > 0) {
      throw new Error(`read back ${seen.size} of ${want} assertions, ${twice} stored twice`);
    }
    say(`read back: all ${want} assertions of the scan, each exactly once`);
    return want;
  } finally {
    await client.close();
  }
}
