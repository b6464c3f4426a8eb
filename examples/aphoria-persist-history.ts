/**
 * An Aphoria integration with `@stemedb/aphoria-client`: a project's `.aphoria/config.toml`
 * (the URL) plus the key in an environment variable (never in the file), two scans persisted,
 * one of them persisted again to show nothing is stored twice, and their history read back:
 * the project's scans, and one finding across both scans.
 *
 * Run it with `pnpm build && npx tsx examples/aphoria-persist-history.ts`: with no environment it
 * starts a StemeDB emulator in-process and uses its root key. Against a real StemeDB: export
 * `STEMEDB_API_KEY` from your secret store (the project's key from `stemedb-admin onboard`; never
 * typed on a command line, where shell history keeps it), then
 * `STEMEDB_URL=https://stemedb.<domain> npx tsx examples/aphoria-persist-history.ts`
 * (each run scans a project of its own name).
 * The project directory is a temporary one, removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isAphoriaHostedError,
  loadHostedConfig,
  persistScan,
  readScanHistory,
  type Scan,
} from '@stemedb/aphoria-client';
import { startEmulator } from '@stemedb/emulator';

/** A scan as `aphoria scan` hands it over: `aphoria.scan/v1`, validated by `persistScan`. */
function scanAt(project: string, commit: string, fingerprints: readonly string[]): Scan {
  return {
    schema: 'aphoria.scan/v1',
    project,
    commit,
    branch: 'main',
    scanner: { name: 'aphoria', version: '0.9.0' },
    started_at: '2026-12-01T10:00:00Z',
    finished_at: '2026-12-01T10:00:09Z',
    findings: fingerprints.map((fingerprint, i) => ({
      rule: 'secrets/hardcoded-key',
      severity: 'high',
      file: 'src/config.ts',
      line: 12 + i,
      end_line: 12 + i,
      message: 'A hard-coded API key',
      fingerprint,
    })),
  };
}

async function main(): Promise<void> {
  const emulator = process.env.STEMEDB_URL ? undefined : await startEmulator();
  const url = emulator?.url ?? (process.env.STEMEDB_URL as string);
  // The CI variable the config names; the emulator's root key stands in for the project's.
  const env = emulator ? { STEMEDB_API_KEY: emulator.rootApiKey } : process.env;
  const projectDir = await mkdtemp(join(tmpdir(), 'aphoria-project-'));
  try {
    await mkdir(join(projectDir, '.aphoria'));
    await writeFile(
      join(projectDir, '.aphoria', 'config.toml'),
      `[hosted]\nurl = "${url}"\napi_key_env = "STEMEDB_API_KEY"\n`,
    );
    // Found by searching upward from `cwd`, as `aphoria scan --persist` does in a checkout.
    const config = await loadHostedConfig({ cwd: projectDir, env });
    console.log(`config: ${config.url} (key from $${config.apiKeyEnv}, never shown)`);

    const project = `example-${randomBytes(3).toString('hex')}`;
    const monday = scanAt(project, 'a'.repeat(40), ['leaked-key-1', 'leaked-key-2']);
    const tuesday = scanAt(project, 'b'.repeat(40), ['leaked-key-1']);
    for (const [day, scan] of [
      ['monday', monday],
      ['tuesday', tuesday],
      ['monday again', monday],
    ] as const) {
      // StemeDB down for longer than the retries: `spooled` > 0, sent by the next run.
      const r = await persistScan(scan, { config });
      console.log(
        `persisted ${day}: ${r.total} assertions, sent ${r.sent}, already there ${r.alreadyPresent}, spooled ${r.spooled}`,
      );
    }

    console.log(`scans of the project, newest first:`);
    for await (const scan of readScanHistory({ config, project })) {
      console.log(`  commit ${scan.value.commit.slice(0, 7)}: findings ${scan.value.findings}`);
    }
    console.log('leaked-key-1, every scan that reported it:');
    for await (const seen of readScanHistory({ config, project, fingerprint: 'leaked-key-1' })) {
      console.log(
        `  commit ${seen.value.commit.slice(0, 7)}: ${seen.value.severity} at line ${seen.value.line}`,
      );
    }
  } finally {
    await rm(projectDir, { recursive: true, force: true });
    await emulator?.close();
  }
}

main().catch((error: unknown) => {
  // Config errors name the file, the line and the fix; none carries the key.
  console.error(isAphoriaHostedError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
