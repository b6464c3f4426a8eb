import { randomBytes } from 'node:crypto';
import * as fsPromises from 'node:fs/promises';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataFs } from '../../src/data-dir.js';
import { call } from './http.js';

/** Helpers for the data-directory tests: temp dirs, crash images, a filesystem that fails. */

export const newKey = () => `steme_live_${randomBytes(24).toString('hex')}`;

const made: string[] = [];

/** A fresh directory under os.tmpdir(), removed by {@link removeTempDirs}. */
export async function tempDir(prefix = 'stemedb-data-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * A copy of a live data directory, taken while no write is pending: what a kill -9 or a power
 * cut at that moment would leave, since an acknowledged write is already fsynced.
 */
export async function crashImage(dataDir: string): Promise<string> {
  const copy = await tempDir('stemedb-crash-');
  await cp(dataDir, copy, { recursive: true });
  return copy;
}

/**
 * The real filesystem behind a gate, so a test can take a crash image of a directory that is
 * being written: {@link FreezableFs.image} waits for the calls in flight, holds new ones back,
 * copies the directory, then lets them go. Copying a live directory without it would mix files
 * from before and after a compaction step, which no crash can produce.
 */
export interface FreezableFs {
  fs: DataFs;
  image(dataDir: string): Promise<string>;
}

export function freezableFs(): FreezableFs {
  let inFlight = 0;
  let gate: Promise<void> | undefined;
  let settled: (() => void) | undefined;
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    while (gate) await gate;
    inFlight += 1;
    try {
      return await work();
    } finally {
      inFlight -= 1;
      if (inFlight === 0) settled?.();
    }
  };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property, t) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          run(async () => {
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
            return property === 'open' ? wrap(result as object) : result;
          });
      },
    });
  return {
    fs: wrap({ ...fsPromises }) as DataFs,
    async image(dataDir) {
      let open!: () => void;
      gate = new Promise((resolve) => {
        open = resolve;
      });
      if (inFlight > 0) await new Promise<void>((resolve) => (settled = resolve));
      settled = undefined;
      try {
        return await crashImage(dataDir);
      } finally {
        gate = undefined;
        open();
      }
    },
  };
}

/** What {@link failingFs} can be told to fail. */
export type FailPoint = 'sync' | 'write' | undefined;

/**
 * The real filesystem, except that while `failAt` is set every file handle's `sync` (or
 * `write`) fails with EIO: the disk errors a test running as root cannot cause with chmod.
 */
export function failingFs(): { fs: DataFs; failAt: (point: FailPoint) => void } {
  let point: FailPoint;
  const eio = (call: string) =>
    Object.assign(new Error(`EIO: i/o error, ${call}`), { code: 'EIO', errno: -5 });
  const open = (async (...args: Parameters<typeof fsPromises.open>) => {
    const handle = await fsPromises.open(...args);
    return new Proxy(handle, {
      get(target, property) {
        if (property === point) {
          return async () => {
            throw eio(String(property));
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }) as DataFs['open'];
  return {
    fs: { ...fsPromises, open },
    failAt: (next) => {
      point = next;
    },
  };
}

/** Posts one assertion; resolves with the status and the id when stored. */
export async function postAssertion(url: string, key: string, subject: string) {
  const res = await call(url, '/v1/assert', {
    method: 'POST',
    key,
    body: { subject, predicate: 'p', value: { subject }, agent_id: 'a' },
  });
  return { status: res.status, id: (res.json as { id?: string } | undefined)?.id };
}

/** Every assertion's subject, newest first, read through the paged API. */
export async function subjects(url: string, key: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=1000&cursor=${cursor}` : '?limit=1000';
    const res = await call(url, `/v1/assertions${query}`, { key });
    const page = res.json as { items: { subject: string }[]; next_cursor: string | null };
    out.push(...page.items.map((item) => item.subject));
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}
