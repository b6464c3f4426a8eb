/**
 * One unreadable spool entry (issue 21, path 4): a journal that cannot be read, by a root-owned
 * file a container step left (EACCES) or an I/O error (EIO), is skipped and reported, and the
 * rest of the spool is sent; once it can be read again it is completed, exactly once. 0.1 failed
 * that run and every later one with exit 1. (A directory in its place, EISDIR, is in
 * poison.test.ts; the tests run as root, so the faults come through the SpoolFs seam.)
 */
import { describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { computeScanId, flushSpool } from '../../src/index.js';
import { nodeSpoolFs, type SpoolFs } from '../../src/spool/fs.js';
import { DEFAULT_SEAMS } from '../../src/spool/spool.js';
import { spoolWholeScan } from '../kill/support-spool.js';
import { configFor, readBack, tempDir, useEmulator, warnings } from '../support/persist.js';

const emu = useEmulator();

/** The real file system, but reading a path that includes `id` fails with `code`. */
function unreadable(id: string, code: string): SpoolFs {
  return {
    ...nodeSpoolFs,
    read(path) {
      if (!path.includes(id)) return nodeSpoolFs.read(path);
      return (async function* () {
        yield* [];
        throw Object.assign(new Error(`${code}: simulated, open '${path}'`), { code });
      })();
    },
  };
}

describe('a journal that cannot be read', () => {
  it.each(['EACCES', 'EIO'])(
    '%s: skipped and reported, the others sent; completed once readable again',
    async (code) => {
      const config = configFor(emu(), await tempDir());
      const locked = await spoolWholeScan(emu(), config, 20, `locked-${code}`);
      const fine = await spoolWholeScan(emu(), config, 20, `fine-${code}`);
      const lockedId = computeScanId(locked);
      const w = warnings();
      const flushed = await flushSpoolWith(
        { config, onWarning: w.onWarning },
        { ...DEFAULT_SEAMS, fs: unreadable(lockedId, code) },
      );
      expect(flushed.skipped).toMatchObject([{ scanId: lockedId, reason: 'unreadable' }]);
      expect(flushed.completed).toBe(1);
      expect(w.list.join('\n')).toContain(code);
      expect(await readBack(emu(), fine)).toEqual({
        stored: 21,
        missing: [],
        doubled: [],
        extra: [],
      });
      expect((await readBack(emu(), locked)).stored).toBe(0);

      const again = await flushSpool({ config, onWarning: () => {} });
      expect(again).toMatchObject({ completed: 1, spooled: 0, skipped: [] });
      expect(await readBack(emu(), locked)).toEqual({
        stored: 21,
        missing: [],
        doubled: [],
        extra: [],
      });
    },
  );
});
