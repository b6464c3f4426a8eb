/**
 * The build's lazily loaded CommonJS files (dist/bundled-models.cjs, the kubernetes-models
 * validators; dist/promql-parser.cjs, the PromQL grammar) required with a V8 code cache that
 * holds every function a run compiled, when Node's compile cache is on (the bin turns it on; a
 * library user may, with NODE_COMPILE_CACHE).
 *
 * Why: Node's compile cache stores a file's code as compiled when the file is loaded, which is
 * its top level only: V8 compiles a function's body when it is first called. The validators are
 * thousands of small generated functions, each called once by a render, so every cold render
 * compiled them all again. Asked after the run (`vm.Script#createCachedData`), V8 serializes
 * every function compiled so far, as browsers do for their code cache; the next run deserializes
 * them instead of compiling.
 *
 * The cache files live in a folder of their own in the compile cache directory (which Node names
 * by its version and V8's cache tag), one file per built file. A file's header
 * holds a CRC-32 of the source it was made from and one of its own bytes: V8 itself checks only
 * the source's length, so an edited file of the same length would otherwise run stale code. The
 * cache is an optimisation only: any failure to read or write it loads the file as before.
 */
import module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

type Fs = typeof import('node:fs');
type Vm = typeof import('node:vm');
type Zlib = typeof import('node:zlib');
type Script = import('node:vm').Script;

// Node's builtins through `require`: an ES module `import` of them builds a facade of every
// export at load time (node:zlib's alone pulls in streams), which `require('@stemedb/manifests')`
// would pay without ever validating.
const builtin = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

/** `SMC1`: the header's first word, so that a foreign or truncated file is never used. */
const MAGIC = 0x534d4331;
/** Magic, CRC-32 of the source, length of the source, CRC-32 of the cache bytes: 4 bytes each. */
const HEADER = 16;

// The same wrapper Node's CommonJS loader gives a file (one line, so line numbers stay the same).
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n})';

/** A file loaded without an accepted cache, whose cache is written when the process exits. */
interface Pending {
  script: Script;
  cacheFile: string;
  sourceCrc: number;
  sourceLength: number;
}

const pending: Pending[] = [];
let exitHook = false;

/**
 * Requires the built CommonJS file `file` (relative to `from`, a file URL or path), through the
 * code cache when Node's compile cache is on, else with a plain `require`. A `variant` keeps a
 * cache of its own (a file whose callers run different parts of it, such as one per command).
 */
export function requireBuilt(file: string, from: string, variant?: string): unknown {
  const load = createRequire(from);
  const dir = codeCacheDir();
  return dir === undefined ? load(file) : requireWithCodeCache(load.resolve(file), dir, variant);
}

/**
 * Where the code caches go: a folder in Node's compile cache directory (which Node names by its
 * version, architecture and V8's cache tag), or undefined when the compile cache is off.
 */
function codeCacheDir(): string | undefined {
  const base = (module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
  return base ? join(base, 'stemedb-manifests') : undefined;
}

/**
 * Requires the CommonJS file at `path` with the code cache kept in `dir` (made if missing), the
 * `variant`'s if one is given: the cache is used when its header matches the source, and
 * (re)written at exit when there was none or V8 rejected it. Exported for the tests, which give
 * their own `dir`.
 */
export function requireWithCodeCache(path: string, dir: string, variant?: string): unknown {
  const fs = builtin('node:fs') as Fs;
  const vm = builtin('node:vm') as Vm;
  const zlib = builtin('node:zlib') as Zlib;
  const bytes = fs.readFileSync(path);
  // The build writes these files in ASCII (tsup.config.ts, `charset`): read as Latin-1, the same
  // characters become a one-byte string without UTF-8 decoding, which cost a cold render several
  // ms per MB. A file with other bytes is decoded as UTF-8, as `require` would.
  const { isAscii } = builtin('node:buffer') as typeof import('node:buffer');
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  // The CRC of the bytes: what `zlib.crc32(source)` computes (it encodes a string as UTF-8),
  // without encoding the string again.
  const sourceCrc = zlib.crc32(bytes);
  // One cache file per built file (its name and the CRC of its path) and variant, rewritten when
  // the file changes.
  const name = `${basename(path)}-${zlib.crc32(path).toString(16)}`;
  const cacheFile = join(dir, `${variant ? `${name}-${variant}` : name}.cache`);
  const cachedData = readCache(fs, zlib, cacheFile, sourceCrc, source.length);
  // A hashbang is valid only at the very start of a script: inside the wrapper it is a comment.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new vm.Script(WRAP_HEAD + body + WRAP_TAIL, {
    filename: path,
    ...(cachedData ? { cachedData } : {}),
  });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const loaded = { exports: {} as unknown };
  wrapper.call(loaded.exports, loaded.exports, createRequire(path), loaded, path, dirname(path));
  if (cachedData === undefined || script.cachedDataRejected === true) {
    pending.push({ script, cacheFile, sourceCrc, sourceLength: source.length });
    if (!exitHook) {
      exitHook = true;
      // At exit, after the run: the functions it called have been compiled by then.
      process.once('exit', writeCodeCaches);
    }
  }
  return loaded.exports;
}

/** The cached data in `cacheFile` when it was made from this source and is intact. */
function readCache(
  fs: Fs,
  zlib: Zlib,
  cacheFile: string,
  sourceCrc: number,
  sourceLength: number,
): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(cacheFile);
  } catch {
    return undefined; // None yet.
  }
  if (bytes.length <= HEADER) return undefined;
  const data = bytes.subarray(HEADER);
  const intact =
    bytes.readUInt32LE(0) === MAGIC &&
    bytes.readUInt32LE(4) === sourceCrc &&
    bytes.readUInt32LE(8) === sourceLength &&
    bytes.readUInt32LE(12) === zlib.crc32(data);
  return intact ? data : undefined;
}

/**
 * Writes the code cache of every file loaded without one. Each goes to a temporary file renamed
 * over the old one, so that a concurrent run reads a whole cache or none. Exported for the tests;
 * runs by itself at exit.
 */
export function writeCodeCaches(): void {
  const fs = builtin('node:fs') as Fs;
  const zlib = builtin('node:zlib') as Zlib;
  for (const entry of pending.splice(0)) {
    const temporary = `${entry.cacheFile}.${process.pid}.tmp`;
    try {
      const data = entry.script.createCachedData();
      const header = Buffer.alloc(HEADER);
      header.writeUInt32LE(MAGIC, 0);
      header.writeUInt32LE(entry.sourceCrc, 4);
      header.writeUInt32LE(entry.sourceLength, 8);
      header.writeUInt32LE(zlib.crc32(data), 12);
      fs.mkdirSync(dirname(entry.cacheFile), { recursive: true });
      fs.writeFileSync(temporary, Buffer.concat([header, data]));
      fs.renameSync(temporary, entry.cacheFile);
    } catch {
      // A read-only or full disk costs the next run its speed, never this run its result.
      try {
        fs.rmSync(temporary, { force: true });
      } catch {}
    }
  }
}
