import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compact } from '../src/compaction.js';
import { type DataFs, nodeFs, segmentName } from '../src/data-dir.js';
import { JournalCorruptError } from '../src/index.js';
import { Journal, type JournalChange } from '../src/journal.js';
import { encodeRecord } from '../src/journal-format.js';
import { loadState } from '../src/persistence.js';
import { type EmulatorInternals, startEmulatorWith } from '../src/server.js';
import type { Emulator, EmulatorOptions } from '../src/types.js';
import {
  crashImage,
  failingFs,
  freezableFs,
  newKey,
  postAssertion,
  removeTempDirs,
  subjects,
  tempDir,
} from './support/data-dir.js';
import { call } from './support/http.js';

/** Issue 7 §5: the append-only journal, its framing, group commit and compaction. */

const running: Emulator[] = [];
const start = async (options: EmulatorOptions, internals: EmulatorInternals = {}) => {
  const emu = await startEmulatorWith({ rateLimit: false, ...options }, internals);
  running.push(emu);
  return emu;
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
  await removeTempDirs();
  vi.restoreAllMocks();
});

const assertion = (seq: number, subject = `s${seq}`) => ({
  seq,
  id: `ast_${seq}`,
  subject,
  predicate: 'p',
  value: { subject },
  agent_id: 'a',
  accepted_at: new Date(0).toISOString(),
});

function change(seq: number, log: string[], subject?: string): JournalChange {
  return {
    assertions: [assertion(seq, subject)],
    commit: () => log.push(`commit ${seq}`),
    undo: () => log.push(`undo ${seq}`),
  };
}

const noSnapshot = () => ({ keys: [], assertions: [], count: 0 });

describe('journal: group commit', () => {
  it('writes the appends of one event-loop turn with one write and one fsync', async () => {
    const dir = await tempDir();
    const fsyncs: number[] = [];
    const journal = new Journal(nodeFs, dir, { lsn: 0, snapshotBytes: 0 }, noSnapshot, (s) =>
      fsyncs.push(s),
    );
    const log: string[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append(change(i + 1, log))));
    expect(fsyncs).toHaveLength(1);
    expect(log).toEqual(Array.from({ length: 50 }, (_, i) => `commit ${i + 1}`));
    const loaded = await loadState(nodeFs, dir);
    expect(loaded.assertions.map((a) => a.seq)).toEqual(log.map((_, i) => i + 1));
    expect(loaded.lsn).toBe(50);
  });

  it('undoes a failed batch and everything queued behind it, newest first', async () => {
    const dir = await tempDir();
    const failing = failingFs();
    const journal = new Journal(
      failing.fs,
      dir,
      { lsn: 0, snapshotBytes: 0 },
      noSnapshot,
      () => {},
    );
    const log: string[] = [];
    await journal.append(change(1, log, 'kept'));
    failing.failAt('sync');
    // Two appends in one turn form one batch; both are written, then the fsync fails.
    const first = journal.append(change(2, log, 'lostA'));
    const second = journal.append(change(3, log, 'lostB'));
    await expect(first).rejects.toThrow(/EIO/);
    await expect(second).rejects.toThrow(/EIO/);
    expect(log).toEqual(['commit 1', 'undo 3', 'undo 2']);

    failing.failAt(undefined);
    // Same length as lostA's record, so without the repair lostB's record would follow intact.
    await journal.append(change(2, log, 'after'));
    const loaded = await loadState(nodeFs, dir);
    expect(loaded.assertions.map((a) => a.subject)).toEqual(['kept', 'after']);
    expect(loaded.lsn).toBe(2);
  });
});

describe('journal: torn records', () => {
  const tears: { name: string; tear: (valid: Buffer) => Buffer; reason: RegExp }[] = [
    {
      name: 'an incomplete last record (power cut mid-append)',
      tear: (valid) => valid.subarray(0, valid.length - 7),
      reason: /incomplete/,
    },
    {
      name: 'a last record with a flipped byte',
      tear: (valid) => {
        const copy = Buffer.from(valid);
        const at = copy.length - 5;
        copy[at] = copy[at]! ^ 0x01;
        return copy;
      },
      reason: /checksum/,
    },
    {
      name: 'a last record whose length does not match',
      tear: (valid) => Buffer.concat([valid.subarray(0, -2), Buffer.from('}}\n')]),
      reason: /length/,
    },
  ];

  it.each(tears)('drops $name and keeps every record before it', async ({ tear, reason }) => {
    const dataDir = await tempDir();
    const rootApiKey = newKey();
    const emu = await start({ dataDir, rootApiKey });
    for (const subject of ['one', 'two', 'three']) {
      expect((await postAssertion(emu.url, rootApiKey, subject)).status).toBe(201);
    }
    const image = await crashImage(dataDir);
    const segment = join(image, segmentName(1));
    const torn = encodeRecord({ lsn: 99, assertions: [assertion(99, 'torn')] });
    await appendFile(segment, tear(torn));
    const before = (await stat(segment)).size;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    const again = await start({ dataDir: image, rootApiKey });
    expect(await subjects(again.url, rootApiKey)).toEqual(['three', 'two', 'one']);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(reason);
    expect((await stat(segment)).size).toBe(before - tear(torn).length);
    // The next append lands after the last good record and survives a restart.
    expect((await postAssertion(again.url, rootApiKey, 'four')).status).toBe(201);
    const image2 = await crashImage(image);
    const third = await start({ dataDir: image2, rootApiKey });
    expect(await subjects(third.url, rootApiKey)).toEqual(['four', 'three', 'two', 'one']);
  });

  it('refuses a record whose checksum holds but whose fields are wrong, naming the file and field', async () => {
    const dataDir = await tempDir();
    const record = encodeRecord({ lsn: 1, assertions: [assertion(1)] }).toString('utf8');
    // A hand-made record: valid framing, but the assertion has no agent_id.
    const json = JSON.stringify({ lsn: 1, assertions: [{ ...assertion(1), agent_id: undefined }] });
    const { crc32 } = await import('node:zlib');
    const handMade = `${Buffer.byteLength(json)} ${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
    await writeFile(join(dataDir, segmentName(1)), record + handMade);
    await expect(start({ dataDir })).rejects.toThrow(
      new RegExp(
        `${segmentName(1)} \\(record at byte ${record.length}\\).*assertions\\.0\\.agent_id`,
      ),
    );
  });
});

describe('journal: damage in the middle', () => {
  const damages: { name: string; damage: (good: Buffer) => Buffer }[] = [
    {
      name: 'garbage bytes between two whole records',
      damage: (good) =>
        Buffer.from(`\u0000\u0000garbage${good.toString('latin1').slice(3, 20)}\n`, 'latin1'),
    },
    {
      name: 'a record with a flipped byte',
      damage: (good) => {
        const copy = Buffer.from(good);
        copy[copy.length - 5] = copy[copy.length - 5]! ^ 0x01;
        return copy;
      },
    },
    {
      name: 'a record cut short, then newline',
      damage: (good) => Buffer.concat([good.subarray(0, 30), Buffer.from('\n')]),
    },
  ];

  it.each(damages)('$name, followed by whole records, stops the boot', async ({ damage }) => {
    const dataDir = await tempDir();
    const first = encodeRecord({ lsn: 1, assertions: [assertion(1)] });
    const middle = encodeRecord({ lsn: 2, assertions: [assertion(2)] });
    const last = encodeRecord({ lsn: 3, assertions: [assertion(3)] });
    const segment = join(dataDir, segmentName(1));
    await writeFile(segment, Buffer.concat([first, damage(middle), last]));
    const size = (await stat(segment)).size;
    const failure = start({ dataDir });
    await expect(failure).rejects.toBeInstanceOf(JournalCorruptError);
    await expect(failure).rejects.toThrow(
      new RegExp(
        `${segmentName(1)}: damaged record at byte ${first.length}, followed by whole records`,
      ),
    );
    expect((await stat(segment)).size).toBe(size); // nothing cut: the file is left for repair
  });

  it('a bad record followed only by more garbage is still a torn tail', async () => {
    const dataDir = await tempDir();
    const first = encodeRecord({ lsn: 1, assertions: [assertion(1, 'kept')] });
    await writeFile(
      join(dataDir, segmentName(1)),
      Buffer.concat([first, Buffer.from('12 00000000 {"lsn":\n\u0000\u0000\n7 0000')]),
    );
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const rootApiKey = newKey();
    const emu = await start({ dataDir, rootApiKey });
    expect(await subjects(emu.url, rootApiKey)).toEqual(['kept']);
  });
});

describe('journal: compaction', () => {
  it('folds segments into the snapshots while writes go on, losing nothing', async () => {
    const dataDir = await tempDir();
    const rootApiKey = newKey();
    // A tiny threshold: a compaction starts every few batches.
    const frozen = freezableFs();
    const emu = await start({ dataDir, rootApiKey }, { fs: frozen.fs, minCompactionBytes: 2_048 });
    const acknowledged: string[] = [];
    const images: { dir: string; acked: string[] }[] = [];
    for (let round = 0; round < 8; round++) {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => postAssertion(emu.url, rootApiKey, `r${round}-${i}`)),
      );
      for (const [i, result] of results.entries()) {
        expect(result.status).toBe(201);
        acknowledged.push(`r${round}-${i}`);
      }
      // A crash image may catch a compaction half-way: it must still hold every write.
      images.push({ dir: await frozen.image(dataDir), acked: [...acknowledged] });
    }
    expect((await readdir(dataDir)).filter((f) => f.endsWith('.log')).length).toBeLessThanOrEqual(
      2,
    );
    await emu.close();
    expect((await readdir(dataDir)).sort()).toEqual(['assertions.json', 'keys.json']);
    for (const { dir, acked } of [...images, { dir: dataDir, acked: acknowledged }]) {
      const again = await start({ dataDir: dir, rootApiKey });
      const stored = await subjects(again.url, rootApiKey);
      // Every acknowledged write, exactly once (the image may also hold unanswered ones).
      expect(new Set(stored).size).toBe(stored.length);
      expect(stored).toEqual(expect.arrayContaining(acked));
      await again.close();
    }
  });

  it('leaves a loadable directory whichever step of a compaction fails', async () => {
    const dataDir = await tempDir();
    const rootApiKey = newKey();
    const first = await start({ dataDir, rootApiKey });
    await postAssertion(first.url, rootApiKey, 'in-snapshot');
    await first.close();
    const second = await start({ dataDir, rootApiKey });
    await postAssertion(second.url, rootApiKey, 'in-journal');
    const created = await call(second.url, '/v1/admin/api-keys', {
      method: 'POST',
      key: rootApiKey,
      body: { label: 'journal-key', role: 'read_agent' },
    });
    const { hash } = created.json as { hash: string };
    await call(second.url, `/v1/admin/api-keys/${hash}`, { method: 'DELETE', key: rootApiKey });
    const image = await crashImage(dataDir);
    const expected = await loadState(nodeFs, image);
    expect(expected.assertions.map((a) => a.subject)).toEqual(['in-snapshot', 'in-journal']);
    expect(expected.keys.find((k) => k.hash === hash)?.revoked_at).not.toBeNull();

    let succeeded = false;
    for (let failAt = 1; !succeeded; failAt++) {
      const dir = await crashImage(image);
      const state = await loadState(nodeFs, dir);
      const source = {
        lsn: state.lsn,
        keys: state.keys,
        assertions: state.assertions,
        count: state.assertions.length,
      };
      succeeded = await compact(failingAtCall(failAt), dir, source, state.segment!.number).then(
        () => true,
        () => false,
      );
      const after = await loadState(nodeFs, dir);
      expect(after.assertions).toEqual(expected.assertions);
      expect(after.keys).toEqual(expect.arrayContaining(expected.keys));
      expect(after.keys).toHaveLength(expected.keys.length);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(failAt).toBeLessThan(40);
    }
    const final = await readFile(join(image, 'assertions.json'), 'utf8');
    expect(JSON.parse(final).assertions).toHaveLength(1);
  });
});

/** The real filesystem, failing the `n`-th call (of the fs or of any handle it opened). */
function failingAtCall(n: number): DataFs {
  let calls = 0;
  const step = (property: string | symbol) => {
    // A failing close would leak the descriptor, which no crash does.
    if (property === 'close') return;
    calls += 1;
    if (calls === n) throw Object.assign(new Error(`EIO at step ${n}`), { code: 'EIO' });
  };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property, t) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          step(property);
          const result = await (value as (...a: unknown[]) => unknown).apply(t, args);
          return property === 'open' ? wrap(result as object) : result;
        };
      },
    });
  return wrap({ ...nodeFs });
}
