/**
 * A SpoolFs that "dies" after step N: every mutating call is a step; step N runs, then every
 * later call throws {@link SimulatedCrash}, as if the process had been killed right there.
 * With `torn: true`, a write that would be step N+1 writes only half its bytes first (a power
 * cut in the middle of a write).
 */
import { nodeSpoolFs, type SpoolFile, type SpoolFs } from '../../src/spool/fs.js';

/** What the crashed "process" throws. */
export class SimulatedCrash extends Error {
  constructor(step: number) {
    super(`simulated crash after step ${step}`);
  }
}

/** Counts steps; `crashAfter: Infinity` only counts (to learn how many a scenario takes). */
export function crashingFs(crashAfter: number, opts: { torn?: boolean } = {}) {
  const state = { steps: 0, crashed: false, log: [] as string[] };
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    if (state.crashed || state.steps >= crashAfter) {
      state.crashed = true;
      throw new SimulatedCrash(crashAfter);
    }
    state.steps += 1;
    state.log.push(name);
    return run();
  };
  const wrapFile = (file: SpoolFile, name: string): SpoolFile => ({
    write: async (data) => {
      if (opts.torn && !state.crashed && state.steps === crashAfter) {
        state.crashed = true;
        await file.write(data.slice(0, Math.max(1, Math.floor(data.length / 2))));
        throw new SimulatedCrash(crashAfter);
      }
      return step(`write ${name}`, () => file.write(data));
    },
    sync: () => step(`sync ${name}`, () => file.sync()),
    // Closing is not a durability step; a dead process's files are closed by the OS.
    close: () => file.close(),
  });
  const base = (p: string) => p.replace(/^.*[/\\]/, '').replace(/^[0-9a-f]{32}/, '<scan>');
  const fs: SpoolFs = {
    mkdirp: (p) => step(`mkdirp ${base(p)}`, () => nodeSpoolFs.mkdirp(p)),
    create: (p) =>
      step(`create ${base(p)}`, async () => wrapFile(await nodeSpoolFs.create(p), base(p))),
    append: (p) =>
      step(`append ${base(p)}`, async () => wrapFile(await nodeSpoolFs.append(p), base(p))),
    rename: (a, b) => step(`rename ${base(a)} ${base(b)}`, () => nodeSpoolFs.rename(a, b)),
    remove: (p) => step(`remove ${base(p)}`, () => nodeSpoolFs.remove(p)),
    truncate: (p, n) => step(`truncate ${base(p)}`, () => nodeSpoolFs.truncate(p, n)),
    syncDir: (p) => step('syncDir', () => nodeSpoolFs.syncDir(p)),
    list: (p) =>
      state.crashed ? Promise.reject(new SimulatedCrash(crashAfter)) : nodeSpoolFs.list(p),
    size: (p) =>
      state.crashed ? Promise.reject(new SimulatedCrash(crashAfter)) : nodeSpoolFs.size(p),
    read: (p) => nodeSpoolFs.read(p),
  };
  return { fs, state };
}
