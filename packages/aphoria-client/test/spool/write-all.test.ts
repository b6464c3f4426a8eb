/**
 * Short writes (issue 21): write(2) may take fewer bytes than asked. 0.1 dropped `bytesWritten`,
 * so on a full disk the next record landed after half a line. A real file system will not
 * short-write on demand, so a handle double gives the counts.
 */
import { describe, expect, it } from 'vitest';
import { type WritableHandle, writeAll } from '../../src/spool/fs.js';

/** A handle that takes at most `chunk` bytes a call (then `0` once `capacity` is reached). */
function shortHandle(chunk: number, capacity = Number.POSITIVE_INFINITY) {
  const written: number[] = [];
  const handle: WritableHandle = {
    async write(buffer, offset, length) {
      const n = Math.min(chunk, length, capacity - written.length);
      for (let i = 0; i < n; i++) written.push(buffer[offset + i]!);
      return { bytesWritten: n };
    },
  };
  return { handle, text: () => Buffer.from(written).toString('utf8') };
}

describe('writeAll', () => {
  it('loops until every byte is written when each call writes a few', async () => {
    const { handle, text } = shortHandle(3);
    const line = '0badc0de {"t":"k","i":12}\n'.repeat(5);
    await writeAll(handle, line);
    expect(text()).toBe(line);
  });

  it('writes multi-byte text whole (counts are bytes, not characters)', async () => {
    const { handle, text } = shortHandle(2);
    await writeAll(handle, 'é→ü\n');
    expect(text()).toBe('é→ü\n');
  });

  it('fails with ENOSPC when a write makes no progress (a full disk)', async () => {
    const { handle } = shortHandle(4, 10);
    await expect(writeAll(handle, 'x'.repeat(20))).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});
