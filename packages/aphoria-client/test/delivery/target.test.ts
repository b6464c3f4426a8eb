/**
 * Target binding (issue 21): each journal records the origin it was written for and a
 * fingerprint of the key (never the key). A flush towards another origin refuses with
 * SpoolTargetError (exit 2) and sends nothing of it, unless `to` says where it goes. 0.1 sent
 * a staging spool to whatever STEMEDB_URL pointed at.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/io.js';
import { createHostedConfig } from '../../src/config.js';
import { flushSpool, SpoolTargetError } from '../../src/index.js';
import { keyFingerprint } from '../../src/spool/target.js';
import { spoolWholeScan } from '../kill/support-spool.js';
import { configFor, readBack, tempDir, useEmulator } from '../support/persist.js';

// Two StemeDBs, each started once, faults and temp dirs cleared after each test.
const staging = useEmulator();
const production = useEmulator();

describe('a spool written for one StemeDB', () => {
  it('records the origin and a key fingerprint, never the key', async () => {
    const config = configFor(staging(), await tempDir());
    await spoolWholeScan(staging(), config, 3, 'bound');
    const [name] = (await readdir(config.spoolDir)).filter((n) => n.endsWith('.journal'));
    const text = await readFile(join(config.spoolDir, name!), 'utf8');
    const header = JSON.parse(text.split('\n')[0]!.slice(9));
    expect(header).toMatchObject({
      origin: new URL(staging().url).origin,
      key: keyFingerprint(staging().rootApiKey),
      by: expect.stringMatching(/^aphoria-client \d+\.\d+/),
    });
    expect(text).not.toContain(staging().rootApiKey);
  });

  it('is not flushed to another origin (SpoolTargetError, exit 2), and is with to', async () => {
    const dir = await tempDir();
    const config = configFor(staging(), dir);
    const scan = await spoolWholeScan(staging(), config, 10, 'elsewhere');
    const towardsProduction = createHostedConfig({
      url: production().url,
      apiKey: production().rootApiKey,
      spoolDir: config.spoolDir,
    });
    const error = await flushSpool({ config: towardsProduction, onWarning: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpoolTargetError);
    expect(exitCodeOf(error)).toBe(2);
    expect((error as Error).message).toContain(new URL(staging().url).origin);
    expect((await readBack(production(), scan)).stored).toBe(0);

    // Sent where it was meant to go: with `to` naming it.
    const flushed = await flushSpool({
      config: createHostedConfig({
        url: production().url,
        apiKey: staging().rootApiKey,
        spoolDir: config.spoolDir,
      }),
      to: staging().url,
      onWarning: () => {},
    });
    expect(flushed).toMatchObject({ sent: 11, spooled: 0, skipped: [] });
    expect(await readBack(staging(), scan)).toEqual({
      stored: 11,
      missing: [],
      doubled: [],
      extra: [],
    });
  });
});
