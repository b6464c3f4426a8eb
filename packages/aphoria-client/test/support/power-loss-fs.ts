/**
 * A SpoolFs in memory that models a power cut, not a process crash: at the crash, of each file
 * only the bytes it had at its last fsync survive (what was written after is lost, or kept as a
 * torn prefix, or kept with the earlier unsynced writes as zeros: a later write that reached the
 * disk before an earlier one), and of each directory only the entries (create, rename, unlink)
 * it had at its last fsync. That is the model of ALICE (Pillai et al., "All File Systems Are Not
 * Created Equal", OSDI 2014) and of SQLite's crash-test VFS (src/test6.c): the page cache dies
 * with the power, so every durability step the spool takes must be an fsync it really calls.
 *
 * test/support/crash-fs.ts models the other fault, a killed process: there the page cache
 * survives, so it cannot tell a missing fsync from a present one.
 *
 * Every mutating call is a step (mkdirp, create, append, write, sync, rename, remove, truncate,
 * syncDir); with `crashAt: N` the power goes at step N (which does not happen) and every later
 * call, reads included, throws {@link PowerCut}. {@link PowerLossFs.survivor} is then what the
 * disk holds, as a fresh fs for the recovery run.
 *
 * Each fsync records its call site (the first stack frame under the package's `src/`), so the
 * fsync audit can learn which sites a scenario uses and rerun it with one site's fsyncs ignored.
 */
import { basename, dirname, posix } from 'node:path';
import type { SpoolFile, SpoolFs } from '../../src/spool/fs.js';

/** What the crashed "machine" throws from every call once the power is gone. */
export class PowerCut extends Error {
  constructor(step: number) {
    super(`simulated power cut at step ${step}`);
    this.name = 'PowerCut';
  }
}

/**
 * What survives of the bytes a file got after its last fsync:
 * - `drop`: nothing (the default; ext4's data=ordered after a power cut);
 * - `torn`: the first half of them (a write cut part way, as a torn sector);
 * - `holes`: the last unsynced write survives, every earlier unsynced write is zeros (the disk
 *   wrote back a later write before an earlier one: ALICE's reordered appends);
 * - `pages`: of the unsynced bytes, only those in the last page they touch survive, the earlier
 *   pages' are zeros (page writeback out of order within one write too: ext4 data=writeback,
 *   SQLite's crash VFS with its sectors; `pageBytes`, default 4096, a smaller one makes a
 *   small test cross page boundaries).
 */
export type UnsyncedTail = 'drop' | 'torn' | 'holes' | 'pages';

/** How a {@link PowerLossFs} behaves. */
export interface PowerLossOptions {
  /** The step (1-based) at which the power goes; that step does not happen. Default: never. */
  crashAt?: number;
  /** @default 'drop' */
  tail?: UnsyncedTail;
  /** The page of the `pages` tail. @default 4096 */
  pageBytes?: number;
  /** fsyncs from these call sites (as in {@link PowerLossFs.syncSites}) do nothing. */
  ignoreSyncSites?: ReadonlySet<string>;
  /** Called once, at the crash (e.g. to cut the network: a dead machine sends nothing more). */
  onCrash?: () => void;
  /**
   * A slow disk: each fsync of a file waits this long (real time) before its step is taken, so
   * that writes sent meanwhile reach the server before a cut at that step. Default 0.
   */
  syncDelayMs?: number;
}

// A file's contents; the directory entries point at it, so a rename keeps its bytes and state.
interface Inode {
  data: Buffer; // what a read sees (the page cache)
  synced: Buffer; // what the disk holds
  unsynced: Array<{ offset: number; length: number }>; // writes since the last fsync, in order
  truncatedSinceSync: boolean;
  mtime: number;
}

interface Dir {
  live: Map<string, Inode>;
  durable: Map<string, Inode>; // the entries as of the directory's last fsync
}

/** One snapshot of a disk: directories by absolute path, each with its entries. */
export type Disk = Map<string, Map<string, Buffer>>;

const SRC_MARK = `${posix.sep}aphoria-client${posix.sep}src${posix.sep}`;

/**
 * The first stack frame under the package's `src/`, as `src/<path>:<line> (<function>)`: where
 * the package asked for the fsync, whatever helpers stand between it and the fs.
 */
export function callSite(stack: string | undefined): string {
  for (const raw of (stack ?? '').split('\n').slice(1)) {
    const line = raw.replace(/\\/g, '/');
    const at = line.indexOf(SRC_MARK);
    if (at < 0) continue;
    const where = /^([^:)]+):(\d+)/.exec(line.slice(at + SRC_MARK.length));
    const fn = /^\s*at (?:async )?(\S+) \(/.exec(line)?.[1];
    if (where) return `src/${where[1]}:${where[2]}${fn ? ` (${fn})` : ''}`;
  }
  return 'outside src';
}

/** The in-memory, power-cut-modelling SpoolFs. */
export class PowerLossFs implements SpoolFs {
  /** Steps taken so far (the step count of a whole scenario when it did not crash). */
  steps = 0;
  /** One line per step, for failure messages. */
  readonly log: string[] = [];
  /** How many fsyncs each call site made (ignored ones too). */
  readonly syncSites = new Map<string, number>();
  #crashed = false;
  #survivor: Disk | undefined;
  #clock = 0;
  readonly #dirs = new Map<string, Dir>();
  readonly #opts: PowerLossOptions;

  constructor(opts: PowerLossOptions = {}, disk?: Disk) {
    this.#opts = opts;
    for (const [path, entries] of disk ?? []) {
      const map = new Map<string, Inode>();
      for (const [name, bytes] of entries) map.set(name, this.#inode(bytes));
      this.#dirs.set(path, { live: map, durable: new Map(map) });
    }
  }

  /** True once the power went. */
  get crashed(): boolean {
    return this.#crashed;
  }

  /** The power goes now, between two steps: a cut after the run using this fs has ended. */
  cutNow(): void {
    if (!this.#crashed) this.#cut();
  }

  /** What the disk held when the power went, as a fresh fs (no crash planned). */
  survivor(): PowerLossFs {
    if (this.#survivor === undefined) throw new Error('survivor(): the power never went');
    return new PowerLossFs({}, this.#survivor);
  }

  /** Every directory and file as a read sees them now: a disk to start another fs from. */
  disk(): Disk {
    return new Map(
      [...this.#dirs].map(([path, dir]) => [
        path,
        new Map([...dir.live].map(([name, inode]) => [name, Buffer.from(inode.data)])),
      ]),
    );
  }

  /** The files of a directory and their bytes, as a read sees them now. */
  files(dir: string): Map<string, Buffer> {
    const d = this.#dirs.get(posix.normalize(dir));
    return new Map([...(d?.live ?? [])].map(([name, inode]) => [name, inode.data]));
  }

  // --- SpoolFs ---

  mkdirp(path: string): Promise<void> {
    return this.#step(`mkdirp ${path}`, () => {
      // The interface promises the parent's fsync too: a made directory is durable at once.
      for (let p = posix.normalize(path); !this.#dirs.has(p); p = dirname(p)) {
        this.#dirs.set(p, { live: new Map(), durable: new Map() });
        if (dirname(p) === p) break;
      }
    });
  }

  create(path: string): Promise<SpoolFile> {
    return this.#step(`create ${short(path)}`, () => {
      const [dir, name] = this.#locate(path);
      if (dir.live.has(name)) throw errno('EEXIST', 'open', path);
      const inode = this.#inode(Buffer.alloc(0));
      inode.synced = Buffer.alloc(0);
      dir.live.set(name, inode);
      return this.#open(inode, short(path));
    });
  }

  append(path: string): Promise<SpoolFile> {
    return this.#step(`append ${short(path)}`, () => {
      const [dir, name] = this.#locate(path);
      let inode = dir.live.get(name);
      if (inode === undefined) {
        inode = this.#inode(Buffer.alloc(0));
        inode.synced = Buffer.alloc(0);
        dir.live.set(name, inode);
      }
      return this.#open(inode, short(path));
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.#step(`rename ${short(from)} ${short(to)}`, () => {
      const [a, an] = this.#locate(from);
      const [b, bn] = this.#locate(to);
      const inode = a.live.get(an);
      if (inode === undefined) throw errno('ENOENT', 'rename', from);
      a.live.delete(an);
      b.live.set(bn, inode);
    });
  }

  remove(path: string): Promise<void> {
    return this.#step(`remove ${short(path)}`, () => {
      const [dir, name] = this.#locate(path);
      dir.live.delete(name);
    });
  }

  truncate(path: string, length: number): Promise<void> {
    return this.#step(`truncate ${short(path)}`, () => {
      const inode = this.#file(path);
      const data = Buffer.alloc(length);
      inode.data.copy(data, 0, 0, Math.min(length, inode.data.length));
      inode.data = data;
      inode.truncatedSinceSync = true;
      inode.mtime = ++this.#clock;
    });
  }

  syncDir(path: string): Promise<void> {
    const site = this.#site(new Error().stack);
    return this.#step(`syncDir ${basename(path)} (${site})`, () => {
      const dir = this.#dirs.get(posix.normalize(path));
      if (dir === undefined) throw errno('ENOENT', 'open', path);
      if (!this.#ignored(site)) dir.durable = new Map(dir.live);
    });
  }

  async list(path: string): Promise<string[]> {
    this.#alive();
    const dir = this.#dirs.get(posix.normalize(path));
    if (dir === undefined) throw errno('ENOENT', 'scandir', path);
    return [...dir.live.keys()];
  }

  async size(path: string): Promise<{ bytes: number; mtimeMs: number } | undefined> {
    this.#alive();
    const p = posix.normalize(path);
    if (this.#dirs.has(p)) return { bytes: 0, mtimeMs: 0 };
    const inode = this.#dirs.get(dirname(p))?.live.get(basename(p));
    return inode === undefined ? undefined : { bytes: inode.data.length, mtimeMs: inode.mtime };
  }

  async *read(path: string): AsyncIterable<Buffer> {
    this.#alive();
    const bytes = Buffer.from(this.#file(path).data);
    // Small chunks, so that readers meet lines split across chunks as they do on a real disk.
    for (let at = 0; at < bytes.length; at += 4096) {
      this.#alive();
      yield bytes.subarray(at, at + 4096);
    }
  }

  // --- the model ---

  #open(inode: Inode, name: string): SpoolFile {
    return {
      write: (data) =>
        this.#step(`write ${name} ${kinds(data)}`, () => {
          const bytes = Buffer.from(data, 'utf8');
          inode.unsynced.push({ offset: inode.data.length, length: bytes.length });
          inode.data = Buffer.concat([inode.data, bytes]);
          inode.mtime = ++this.#clock;
        }),
      sync: async () => {
        const site = this.#site(new Error().stack);
        const slow = this.#opts.syncDelayMs ?? 0;
        if (slow > 0) await new Promise((resolve) => setTimeout(resolve, slow));
        return this.#step(`sync ${name} (${site})`, () => {
          if (this.#ignored(site)) return;
          inode.synced = Buffer.from(inode.data);
          inode.unsynced = [];
          inode.truncatedSinceSync = false;
        });
      },
      // Closing is no durability step: it neither writes nor syncs anything.
      close: async () => {},
    };
  }

  async #step<T>(name: string, run: () => T): Promise<T> {
    this.#alive();
    this.steps += 1;
    if (this.steps === this.#opts.crashAt) {
      this.#cut();
      throw new PowerCut(this.steps);
    }
    this.log.push(name);
    // A step resolves on a later turn, as a real syscall does, so interleavings stay realistic.
    await Promise.resolve();
    this.#alive(); // the power may have gone meanwhile, at another call's step
    return run();
  }

  #alive(): void {
    if (this.#crashed) throw new PowerCut(this.#opts.crashAt ?? 0);
  }

  // The power goes: keep what the disk holds, by the rules in the header comment.
  #cut(): void {
    this.#crashed = true;
    const disk: Disk = new Map();
    for (const [path, dir] of this.#dirs) {
      const entries = new Map<string, Buffer>();
      for (const [name, inode] of dir.durable) entries.set(name, this.#surviving(inode));
      disk.set(path, entries);
    }
    this.#survivor = disk;
    this.#opts.onCrash?.();
  }

  #surviving(inode: Inode): Buffer {
    const tail = this.#opts.tail ?? 'drop';
    if (tail === 'drop' || inode.unsynced.length === 0 || inode.truncatedSinceSync) {
      return Buffer.from(inode.synced);
    }
    const start = inode.synced.length;
    if (tail === 'torn') {
      const rest = inode.data.length - start;
      return Buffer.from(inode.data.subarray(0, start + Math.max(1, Math.floor(rest / 2))));
    }
    const bytes = Buffer.from(inode.data);
    if (tail === 'pages') {
      const page = this.#opts.pageBytes ?? 4096;
      const lastPage = Math.floor((bytes.length - 1) / page) * page;
      bytes.fill(0, start, Math.max(start, lastPage));
      return bytes;
    }
    // holes: every unsynced write but the last is zeros.
    for (const w of inode.unsynced.slice(0, -1)) bytes.fill(0, w.offset, w.offset + w.length);
    return bytes;
  }

  #inode(bytes: Buffer): Inode {
    return {
      data: Buffer.from(bytes),
      synced: Buffer.from(bytes),
      unsynced: [],
      truncatedSinceSync: false,
      mtime: ++this.#clock,
    };
  }

  #locate(path: string): [Dir, string] {
    const p = posix.normalize(path);
    const dir = this.#dirs.get(dirname(p));
    if (dir === undefined) throw errno('ENOENT', 'open', path);
    return [dir, basename(p)];
  }

  #file(path: string): Inode {
    const [dir, name] = this.#locate(path);
    const inode = dir.live.get(name);
    if (inode === undefined) throw errno('ENOENT', 'open', path);
    return inode;
  }

  #site(stack: string | undefined): string {
    const site = callSite(stack);
    this.syncSites.set(site, (this.syncSites.get(site) ?? 0) + 1);
    return site;
  }

  #ignored(site: string): boolean {
    return this.#opts.ignoreSyncSites?.has(site) ?? false;
  }
}

// A file's name in the log, its scan id shortened so that logs of two runs compare.
function short(path: string): string {
  return basename(path).replace(/^[0-9a-f]{32}/, '<scan>');
}

// The journal records a write holds, by type (`h a a s`), so a log says what a step wrote.
function kinds(data: string): string {
  const types = [...data.matchAll(/\{"t":"(.)"/g)].map((m) => m[1]);
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t ?? '?', (counts.get(t ?? '?') ?? 0) + 1);
  return `[${[...counts].map(([t, n]) => (n === 1 ? t : `${t}×${n}`)).join(' ')}]`;
}

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${syscall} '${path}'`);
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  return error;
}
