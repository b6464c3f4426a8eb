/**
 * The code cache of the build's lazily loaded CommonJS files (src/shared/code-cache.ts): written
 * after a run, used by the next, and never used for a source it was not made from. The faults:
 * an edited file of the same length (V8 checks only the length), a damaged or foreign cache
 * file, a cache directory that cannot be written.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireWithCodeCache, writeCodeCaches } from '../src/shared/code-cache.js';
import { freshDir, run } from './support/cli.js';

/** A CommonJS file whose answer comes from a function body: compiled lazily, when called. */
const source = (answer: string) =>
  `"use strict";\nfunction answer() { return ${JSON.stringify(answer)}; }\nmodule.exports = { answer };\n`;

function setup(answer: string): { file: string; dir: string } {
  const root = freshDir();
  mkdirSync(root);
  const file = join(root, 'built.cjs');
  writeFileSync(file, source(answer));
  return { file, dir: join(root, 'cache') };
}

/** Loads `file` as a run would: require, call, and the exit's write of the cache. */
function runOnce(file: string, dir: string): string {
  const loaded = requireWithCodeCache(file, dir) as { answer(): string };
  const answer = loaded.answer();
  writeCodeCaches();
  return answer;
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.cache'));

describe('the code cache of a built CommonJS file', () => {
  it('is written after the first run and used, not rewritten, by the next', () => {
    const { file, dir } = setup('first');
    expect(runOnce(file, dir)).toBe('first');
    const [cache] = cacheFiles(dir);
    expect(cache).toMatch(/^built\.cjs-[0-9a-f]+\.cache$/);
    const written = statSync(join(dir, cache!)).mtimeMs;
    const bytes = readFileSync(join(dir, cache!));
    expect(runOnce(file, dir)).toBe('first');
    // Accepted: nothing left to write, so the file is the one the first run wrote.
    expect(statSync(join(dir, cache!)).mtimeMs).toBe(written);
    expect(readFileSync(join(dir, cache!))).toEqual(bytes);
  });

  it('loads a file with non-ASCII characters as UTF-8, first run and cached run alike', () => {
    // The build's files are ASCII and read as Latin-1 (faster); any other file must not be.
    const { file, dir } = setup('2 × 3 — ok ✓ 😀');
    expect(runOnce(file, dir)).toBe('2 × 3 — ok ✓ 😀');
    expect(runOnce(file, dir)).toBe('2 × 3 — ok ✓ 😀');
  });

  it('is fed build files written in ASCII (read as Latin-1, without UTF-8 decoding)', () => {
    for (const built of [
      'cli.cjs',
      'cli-commands.cjs',
      'bundled-models.cjs',
      'promql-parser.cjs',
    ]) {
      const bytes = readFileSync(new URL(`../dist/${built}`, import.meta.url));
      expect(
        bytes.every((b) => b < 0x80),
        built,
      ).toBe(true);
    }
  });

  it('is not used for an edited source of the same length (V8 checks only the length)', () => {
    const { file, dir } = setup('aaaa');
    expect(runOnce(file, dir)).toBe('aaaa');
    writeFileSync(file, source('bbbb'));
    expect(runOnce(file, dir)).toBe('bbbb');
    // And the cache now holds the new source's code.
    expect(runOnce(file, dir)).toBe('bbbb');
  });

  it('is ignored and rewritten when its bytes are damaged', () => {
    const { file, dir } = setup('intact');
    runOnce(file, dir);
    const path = join(dir, cacheFiles(dir)[0]!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(path, bytes);
    expect(runOnce(file, dir)).toBe('intact');
    expect(readFileSync(path)).not.toEqual(bytes);
  });

  it('is kept per variant: each holds what its own runs compiled', () => {
    const { file, dir } = setup('both');
    (requireWithCodeCache(file, dir, 'one') as { answer(): string }).answer();
    (requireWithCodeCache(file, dir, 'two') as { answer(): string }).answer();
    writeCodeCaches();
    expect(cacheFiles(dir).sort()).toEqual([
      expect.stringMatching(/^built\.cjs-[0-9a-f]+-one\.cache$/),
      expect.stringMatching(/^built\.cjs-[0-9a-f]+-two\.cache$/),
    ]);
  });

  it('is ignored when it is another file’s, or truncated', () => {
    const { file, dir } = setup('mine');
    runOnce(file, dir);
    const path = join(dir, cacheFiles(dir)[0]!);
    writeFileSync(path, 'not a cache');
    expect(runOnce(file, dir)).toBe('mine');
    writeFileSync(path, readFileSync(path).subarray(0, 10));
    expect(runOnce(file, dir)).toBe('mine');
  });

  it('costs nothing but speed when its directory cannot be made', () => {
    // The directory's place is taken by a file: mkdir fails, as on a read-only disk (which a
    // test run as root cannot make).
    const { file, dir } = setup('blocked');
    writeFileSync(dir, 'in the way');
    expect(runOnce(file, dir)).toBe('blocked');
    expect(statSync(dir).isFile()).toBe(true);
  });
});

describe('the CLI with Node’s compile cache', () => {
  it('caches the CLI, the validators and the PromQL parser after a render, and renders the same with them', async () => {
    const cache = freshDir();
    const env = { NODE_COMPILE_CACHE: cache };
    const config = join(cache, '..', 'code-cache.yaml');
    writeFileSync(config, 'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: "0.9.0"\n');
    const first = await run(['render', config], env);
    expect(first.code, first.stderr).toBe(0);
    // Node names its own folder by version and V8 tag; ours is inside it.
    const [versioned] = readdirSync(cache);
    const ours = join(cache, versioned!, 'stemedb-manifests');
    // The commands' file has a cache per command: each holds what its command compiled.
    const names = () =>
      cacheFiles(ours)
        .map((f) => f.replace(/-[0-9a-f]+(-[a-z]+)?\.cache$/, '$1'))
        .sort();
    expect(names()).toEqual([
      'bundled-models.cjs',
      'cli-commands.cjs-render',
      'cli.cjs',
      'promql-parser.cjs',
    ]);
    const second = await run(['render', config], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const validated = await run(['validate', config], env);
    expect(validated.code, validated.stderr).toBe(0);
    expect(names()).toContain('cli-commands.cjs-validate');
  });
});
