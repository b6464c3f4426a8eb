/**
 * The ack log's groups: acknowledgements arriving one by one share a write (they wait up to
 * ACK_LINGER_MS for each other), none is fsynced (see AckLog), and `close` writes every one.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeSpoolFs } from '../../src/spool/fs.js';
import { readJournal } from '../../src/spool/journal-read.js';
import { AckLog } from '../../src/spool/journal-write.js';
import { encodeRecord } from '../../src/spool/record.js';
import { crashingFs } from '../support/crash-fs.js';
import { cleanupDirs, tempDir } from '../support/persist.js';

afterEach(cleanupDirs);

const SCAN = 'cd'.repeat(16);
async function sealedJournal(records: number): Promise<string> {
  const path = join(await tempDir('aphoria-acks-'), `${SCAN}.journal`);
  const lines = [
    encodeRecord({ t: 'h', v: 1, scan: SCAN, agent: 'a', project: 'p', at: '' }),
    ...Array.from({ length: records }, (_, i) =>
      encodeRecord({
        t: 'a',
        i,
        f: i,
        in: { subject: `s/${i}`, predicate: 'p', value: 1, agent_id: 'a' },
      }),
    ),
    encodeRecord({ t: 's', n: records, total: records, rej: 0 }),
  ];
  await writeFile(path, lines.join(''));
  return path;
}

describe('AckLog', () => {
  it('writes acks that arrive a millisecond apart in a few groups, not one write each, and fsyncs none', async () => {
    const path = await sealedJournal(50);
    const counting = crashingFs(Number.POSITIVE_INFINITY);
    const log = new AckLog(counting.fs, path, (e) => {
      throw e;
    });
    for (let i = 0; i < 50; i++) {
      log.add({ t: 'k', i });
      await delay(1);
    }
    await log.close();
    const writes = counting.state.log.filter((s) => s.startsWith('write')).length;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThan(25);
    expect(counting.state.log.filter((s) => s.startsWith('sync'))).toEqual([]);
    const state = await readJournal(nodeSpoolFs, path);
    expect(state).toMatchObject({ acked: 50, torn: false });
  });

  it('with no linger, still puts every ack on disk by close', async () => {
    const path = await sealedJournal(20);
    const log = new AckLog(
      nodeSpoolFs,
      path,
      (e) => {
        throw e;
      },
      { lingerMs: 0 },
    );
    for (let i = 0; i < 20; i++) log.add({ t: 'k', i });
    await log.close();
    expect(await readJournal(nodeSpoolFs, path)).toMatchObject({ acked: 20 });
  });

  it('reports a failed write once and drops what follows', async () => {
    const path = await sealedJournal(5);
    const crashing = crashingFs(1); // the append opens, the first write fails
    const errors: unknown[] = [];
    const log = new AckLog(crashing.fs, path, (e) => errors.push(e));
    log.add({ t: 'k', i: 0 });
    await expect(log.flush()).rejects.toThrow(/simulated crash/);
    log.add({ t: 'k', i: 1 });
    await log.close().catch(() => {});
    expect(errors).toHaveLength(1);
    expect((await readJournal(nodeSpoolFs, path))!.acked).toBe(0);
  });
});
