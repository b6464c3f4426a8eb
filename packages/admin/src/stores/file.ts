/**
 * `file:<path>`: secrets in one local JSON file, the embedded default for development and the
 * demo.
 *
 * Guarantees: the file is created with mode 0600 and refused when group or others can read it;
 * every change replaces it atomically (temporary file, fsync, rename, fsync of the directory),
 * so a crash leaves the old or the new file and never a torn one; changes are read-modify-write
 * under a cross-process lock (`<path>.lock`, see file-lock.ts), so two processes writing at once
 * lose nothing and `writeIfAbsent` has exactly one winner. Within one process, changes queued
 * while a write is in flight are applied together in the next write (group commit), so that
 * provisioning a thousand projects costs far fewer than a thousand fsyncs.
 */

import { z } from 'zod';
import { assertSecureDirectory, ensureStoreDirectory } from './file-directory.js';
import {
  emptyDocument,
  type FileStoreDocument,
  parseDocument,
  serialiseDocument,
} from './file-format.js';
import {
  type FileStoreFs,
  NODE_FS,
  readSecureFile,
  sweepTemporaryFiles,
  writeFileAtomic,
} from './file-io.js';
import { acquireFileLock, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS } from './file-lock.js';
import { filePreflight } from './file-preflight.js';
import { abortedError, assertNotAborted, assertOpen } from './guard.js';
import { acquireLeaseIn } from './lease.js';
import { fileLeaseCell } from './lease-file.js';
import type { LeaseAttempt, LeaseOptions } from './lease-types.js';
import { parseStoreOptions } from './options.js';
import { preflightOperations } from './preflight.js';
import { assertSecretName, assertSecretPrefix, assertSecretValue } from './secret-name.js';
import { parseStoreSpec } from './spec.js';
import type {
  PreflightOptions,
  SecretStore,
  SecretVersionInfo,
  StoreCallOptions,
  WriteIfAbsentResult,
  WrittenVersion,
} from './types.js';

/** Options of {@link createFileSecretStore}. */
export interface FileSecretStoreOptions {
  /** The store file's absolute path. */
  path: string;
  /**
   * How long to wait for another process's lock.
   * @default 10_000
   */
  lockTimeoutMs?: number | undefined;
  /**
   * A lock older than this is broken whoever holds it.
   * @default 60_000
   */
  staleLockMs?: number | undefined;
  /** The filesystem (tests wrap it to fail a write half-way). @default node:fs/promises */
  fs?: FileStoreFs | undefined;
  /** The clock that stamps versions. @default () => new Date() */
  now?: (() => Date) | undefined;
}

const OptionsSchema = z.strictObject({
  path: z.string(),
  lockTimeoutMs: z.number().int().positive().max(600_000).optional(),
  staleLockMs: z.number().int().positive().optional(),
  fs: z.custom<FileStoreFs>((v) => typeof v === 'object' && v !== null).optional(),
  now: z.custom<() => Date>((v) => typeof v === 'function').optional(),
});

const KIND = 'file';

/** A change to the document; returns the call's result or throws for this call alone. */
type Change<T> = (doc: FileStoreDocument) => T;

interface Pending {
  change: Change<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  operation: string;
  name: string;
}

/** Opens the file store at `options.path` (the file need not exist yet). */
export function createFileSecretStore(options: FileSecretStoreOptions): SecretStore {
  const given = parseStoreOptions(OptionsSchema, options, KIND);
  // The path follows the spec's rules (absolute, not a directory), with the same errors.
  const spec = parseStoreSpec(`file:${given.path}`);
  if (spec.kind !== 'file') throw new Error('unreachable');
  const path = spec.path;
  const fs = given.fs ?? NODE_FS;
  const now = given.now ?? (() => new Date());
  const lockTimeoutMs = given.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = given.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
  let closed = false;
  const leaseCell = fileLeaseCell(path, { fs, lockTimeoutMs, staleMs });
  let queue: Pending[] = [];
  let flushing: Promise<void> | undefined;

  // Checked on the store's first read or write (see file-directory.ts); a failure is kept, so
  // that every later call is refused as well.
  let directoryChecked: Promise<void> | undefined;

  async function load(): Promise<FileStoreDocument> {
    directoryChecked ??= assertSecureDirectory(fs, path);
    await directoryChecked;
    const text = await readSecureFile(fs, path);
    return text === undefined ? emptyDocument() : parseDocument(text, path);
  }

  function enqueue<T>(
    operation: string,
    name: string,
    call: StoreCallOptions | undefined,
    change: Change<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({
        change,
        resolve: resolve as (v: unknown) => void,
        reject,
        signal: call?.signal,
        operation,
        name,
      });
      flushing ??= flush().finally(() => {
        flushing = undefined;
      });
    });
  }

  // One batch at a time: take everything queued, lock, read, apply in order, write once.
  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.filter((p) => {
        if (!p.signal?.aborted) return true;
        p.reject(abortedError(KIND, p.operation, p.name, p.signal.reason));
        return false;
      });
      queue = [];
      if (batch.length === 0) continue;
      let lock: Awaited<ReturnType<typeof acquireFileLock>> | undefined;
      try {
        // The lock lives next to the file, so the directory must exist before the first write.
        await ensureStoreDirectory(fs, path);
        lock = await acquireFileLock(path, { fs, timeoutMs: lockTimeoutMs, staleMs });
        const doc = await load();
        const before = serialiseDocument(doc);
        const outcomes = batch.map((p) => {
          try {
            return { ok: true as const, value: p.change(doc) };
          } catch (error) {
            return { ok: false as const, error };
          }
        });
        const after = serialiseDocument(doc);
        if (after !== before) {
          await sweepTemporaryFiles(fs, path);
          await writeFileAtomic(fs, path, after);
        }
        batch.forEach((p, i) => {
          const outcome = outcomes[i];
          if (outcome?.ok) p.resolve(outcome.value);
          else p.reject(outcome?.error);
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      } finally {
        await lock?.release();
      }
    }
  }

  function enter(operation: string, call: StoreCallOptions | undefined, name?: string): void {
    assertOpen(closed, KIND, operation);
    assertNotAborted(call?.signal, KIND, operation, name);
    if (name !== undefined) assertSecretName(name, KIND, operation);
  }

  function addVersion(doc: FileStoreDocument, name: string, value: string): string {
    const secret = secretOf(doc, name) ?? { versions: [] };
    const version = (secret.versions.at(-1)?.version ?? 0) + 1;
    secret.versions.push({ version, value, createdAt: now().toISOString() });
    doc.secrets[name] = secret;
    return String(version);
  }

  return {
    spec: `file:${path}`,
    async readLatest(name: string, call?: StoreCallOptions): Promise<string | undefined> {
      enter('readLatest', call, name);
      // No lock: the file is only ever replaced by rename, so a read sees a whole version.
      return secretOf(await load(), name)?.versions.at(-1)?.value;
    },
    async writeVersion(
      name: string,
      value: string,
      call?: StoreCallOptions,
    ): Promise<WrittenVersion> {
      enter('writeVersion', call, name);
      assertSecretValue(value, KIND, 'writeVersion', name);
      return enqueue('writeVersion', name, call, (doc) => ({
        version: addVersion(doc, name, value),
      }));
    },
    async writeIfAbsent(
      name: string,
      value: string,
      call?: StoreCallOptions,
    ): Promise<WriteIfAbsentResult> {
      enter('writeIfAbsent', call, name);
      assertSecretValue(value, KIND, 'writeIfAbsent', name);
      return enqueue('writeIfAbsent', name, call, (doc): WriteIfAbsentResult => {
        const latest = secretOf(doc, name)?.versions.at(-1);
        if (latest !== undefined)
          return { written: false, value: latest.value, version: String(latest.version) };
        return { written: true, value, version: addVersion(doc, name, value) };
      });
    },
    async list(prefix: string, call?: StoreCallOptions): Promise<string[]> {
      enter('list', call);
      assertSecretPrefix(prefix, KIND);
      return Object.keys((await load()).secrets)
        .filter((name) => name.startsWith(prefix))
        .sort();
    },
    async listVersions(name: string, call?: StoreCallOptions): Promise<SecretVersionInfo[]> {
      enter('listVersions', call, name);
      return (secretOf(await load(), name)?.versions ?? []).map((v) => ({
        version: String(v.version),
        createdAt: v.createdAt,
      }));
    },
    async delete(name: string, call?: StoreCallOptions): Promise<void> {
      enter('delete', call, name);
      await enqueue('delete', name, call, (doc) => {
        delete doc.secrets[name];
      });
    },
    async acquireLease(lease: LeaseOptions): Promise<LeaseAttempt> {
      enter('acquireLease', lease);
      return acquireLeaseIn(leaseCell, lease, KIND);
    },
    async preflight(call?: PreflightOptions): Promise<void> {
      enter('preflight', call);
      await filePreflight(fs, path, preflightOperations(call));
    },
    async close(): Promise<void> {
      closed = true;
      // Let queued writes finish: a caller that saw a write accepted expects it on disk.
      await flushing;
    },
  };
}

// Names like `constructor` are valid secret names: never read them through the prototype.
function secretOf(
  doc: FileStoreDocument,
  name: string,
): FileStoreDocument['secrets'][string] | undefined {
  return Object.hasOwn(doc.secrets, name) ? doc.secrets[name] : undefined;
}
