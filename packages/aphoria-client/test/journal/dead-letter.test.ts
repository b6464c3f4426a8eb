/**
 * The dead-letter file keeps each record once: `add` skips an index already in it, a torn last
 * letter (a power cut before its fsync) is cut off before the next one is appended, and a file
 * that holds an index twice (written by 0.2) is read with each index once.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeadLetter, DeadLetterFile, readDeadLetters } from '../../src/spool/dead-letter.js';
import { nodeSpoolFs } from '../../src/spool/fs.js';
import { encodeLine } from '../../src/spool/record.js';
import { cleanupDirs, tempDir } from '../support/persist.js';

afterEach(cleanupDirs);

const letter = (i: number): DeadLetter => ({
  i,
  f: i,
  status: 413,
  code: 'payload_too_large',
  msg: 'too large',
  attempts: 1,
  at: '2026-12-01T10:00:00.000Z',
  in: { subject: `s/${i}`, predicate: 'p', value: i, agent_id: 'a' },
});

async function deadFile(text = ''): Promise<string> {
  const path = join(await tempDir('aphoria-dead-'), `${'ab'.repeat(16)}.dead`);
  if (text !== '') await writeFile(path, text);
  return path;
}

describe('DeadLetterFile', () => {
  it('does not write a record whose index is already in the file', async () => {
    const path = await deadFile(encodeLine(letter(3)));
    const file = new DeadLetterFile(nodeSpoolFs, path);
    expect([...(await file.letters()).keys()]).toEqual([3]);
    await file.add(letter(3));
    await file.add(letter(4));
    await file.add(letter(4));
    await file.close();
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect((await readDeadLetters(nodeSpoolFs, path)).map((l) => l.i)).toEqual([3, 4]);
  });

  it('cuts a torn last letter off before appending, so the next one stays readable', async () => {
    const whole = encodeLine(letter(1));
    const torn = encodeLine(letter(2)).slice(0, 40);
    const path = await deadFile(whole + torn);
    const file = new DeadLetterFile(nodeSpoolFs, path);
    await file.add(letter(5));
    await file.close();
    expect(await readFile(path, 'utf8')).toBe(whole + encodeLine(letter(5)));
  });

  it('reads a file holding an index twice with each index once, the first kept', async () => {
    const second = { ...letter(7), attempts: 9 };
    const path = await deadFile(encodeLine(letter(7)) + encodeLine(letter(8)));
    await appendFile(path, encodeLine(second));
    const letters = await readDeadLetters(nodeSpoolFs, path);
    expect(letters.map((l) => [l.i, l.attempts])).toEqual([
      [7, 1],
      [8, 1],
    ]);
  });
});
