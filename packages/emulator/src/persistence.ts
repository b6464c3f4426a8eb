import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredAssertion } from './assertion-store.js';
import type { KeyRecord } from './key-store.js';

/** What is kept in a data directory: key hashes (never plaintext) and assertions. */
export interface PersistedState {
  keys: KeyRecord[];
  assertions: StoredAssertion[];
}

const FORMAT_VERSION = 1;
const KEYS_FILE = 'keys.json';
const ASSERTIONS_FILE = 'assertions.json';

/** Reads a data directory, creating it if needed; missing files mean an empty state. */
export async function loadState(dataDir: string): Promise<PersistedState> {
  await mkdir(dataDir, { recursive: true });
  const keys = await readVersioned<KeyRecord>(join(dataDir, KEYS_FILE), 'keys');
  const assertions = await readVersioned<StoredAssertion>(
    join(dataDir, ASSERTIONS_FILE),
    'assertions',
  );
  return { keys, assertions };
}

async function readVersioned<T>(path: string, field: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = JSON.parse(text) as { version?: unknown } & Record<string, unknown>;
  if (parsed.version !== FORMAT_VERSION || !Array.isArray(parsed[field])) {
    throw new Error(`${path}: not an emulator data file (version ${FORMAT_VERSION} expected)`);
  }
  return parsed[field] as T[];
}

/**
 * Writes one JSON file atomically: a temporary file, fsync, rename over the old one. Writes are
 * serialised and coalesced: callers arriving during a write share the next one, which takes a
 * fresh snapshot, so a burst of requests costs two writes rather than one each.
 */
export class AtomicJsonFile {
  #current: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => unknown,
    /** Called with the seconds each write + fsync + rename took (the WAL fsync histogram). */
    private readonly observe: (seconds: number) => void,
  ) {}

  /** Resolves once the state as of this call is on disk. */
  save(): Promise<void> {
    if (!this.#current) {
      this.#current = this.#write().finally(() => {
        this.#current = undefined;
      });
      return this.#current;
    }
    this.#next ??= this.#current
      .catch(() => {})
      .then(() => {
        this.#next = undefined;
        return this.save();
      });
    return this.#next;
  }

  /** Resolves when no write is pending. */
  async flush(): Promise<void> {
    while (this.#current || this.#next) await (this.#next ?? this.#current)?.catch(() => {});
  }

  async #write(): Promise<void> {
    const started = process.hrtime.bigint();
    const text = JSON.stringify(this.snapshot());
    const tmp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    this.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/** The two files of a data directory, each written on its own so a key change skips assertions. */
export class StateFiles {
  readonly keys: AtomicJsonFile;
  readonly assertions: AtomicJsonFile;

  constructor(dataDir: string, state: () => PersistedState, observe: (seconds: number) => void) {
    this.keys = new AtomicJsonFile(
      join(dataDir, KEYS_FILE),
      () => ({ version: FORMAT_VERSION, keys: state().keys }),
      observe,
    );
    this.assertions = new AtomicJsonFile(
      join(dataDir, ASSERTIONS_FILE),
      () => ({ version: FORMAT_VERSION, assertions: state().assertions }),
      observe,
    );
  }

  async flush(): Promise<void> {
    await Promise.all([this.keys.flush(), this.assertions.flush()]);
  }
}
