import type { components } from './generated/openapi.js';
import { generateApiKey, hashApiKey } from './keys.js';

export type Role = components['schemas']['Role'];
export type KeyRecord = components['schemas']['ApiKeyInfo'];
export type IssuedKey = components['schemas']['ApiKeyCreated'];

/** The label the root key is listed under. */
export const ROOT_KEY_LABEL = 'root';

/** One change to the store: the record as it now is, and how to take the change back. */
export interface KeyChange {
  record: KeyRecord;
  undo(): void;
}

/** Why a rotate or revoke failed, for the route to map onto a status. */
export type KeyChangeFailure = 'not_found' | 'root';

/**
 * The API keys the emulator knows, by hash. Holds hashes only: plaintext exists once, in the
 * answer to create or rotate, as the contract requires.
 */
export class KeyStore {
  readonly #records = new Map<string, KeyRecord>();
  #changes: KeyChange[] = [];
  #rootHash = '';

  constructor(records: readonly KeyRecord[] = []) {
    for (const record of records) this.#records.set(record.hash, { ...record });
  }

  /**
   * Seeds the root key as the server does at boot: added if absent, kept (with its created_at)
   * if present, revived if it had been revoked while it was not root. Returns whether the store
   * changed.
   */
  seedRoot(rootKey: string, now: Date): boolean {
    this.#rootHash = hashApiKey(rootKey);
    const existing = this.#records.get(this.#rootHash);
    if (existing && existing.role === 'admin' && existing.revoked_at === null) return false;
    this.#put({
      hash: this.#rootHash,
      label: existing?.label ?? ROOT_KEY_LABEL,
      role: 'admin',
      created_at: existing?.created_at ?? now.toISOString(),
      revoked_at: null,
    });
    return true;
  }

  /** Whether `hash` is this boot's root key. */
  isRoot(hash: string): boolean {
    return hash === this.#rootHash;
  }

  /** The active (not revoked) record for a key hash, if any. */
  active(hash: string): KeyRecord | undefined {
    const record = this.#records.get(hash);
    return record && record.revoked_at === null ? record : undefined;
  }

  /** Every key, revoked ones included, oldest first; copies. */
  list(): KeyRecord[] {
    return [...this.#records.values()].map((record) => ({ ...record }));
  }

  /** Issues a new key. The plaintext is in the result only. */
  create(label: string, role: Role, now: Date): IssuedKey {
    const key = generateApiKey();
    const record: KeyRecord = {
      hash: hashApiKey(key),
      label,
      role,
      created_at: now.toISOString(),
      revoked_at: null,
    };
    this.#put(record);
    return { key, hash: record.hash, label, role, created_at: record.created_at };
  }

  /**
   * Revokes the key and issues a new one with the same label and role. A revoked or unknown
   * key is `not_found` (x-assumed-semantics of rotateApiKey). Rotating the root key is allowed:
   * the new key is an ordinary admin key, and the next boot seeds the root key again.
   */
  rotate(hash: string, now: Date): IssuedKey | KeyChangeFailure {
    const record = this.active(hash);
    if (!record) return 'not_found';
    this.#put({ ...record, revoked_at: now.toISOString() });
    return this.create(record.label, record.role, now);
  }

  /** Revokes a key; idempotent on a revoked key. The root key is refused (`root`). */
  revoke(hash: string, now: Date): true | KeyChangeFailure {
    const record = this.#records.get(hash);
    if (!record) return 'not_found';
    if (this.isRoot(hash) && record.revoked_at === null) return 'root';
    if (record.revoked_at === null) this.#put({ ...record, revoked_at: now.toISOString() });
    return true;
  }

  /**
   * The changes made since the last call, oldest first, to be made durable together (a rotation
   * is two). Undo them newest first to restore the store.
   */
  takeChanges(): KeyChange[] {
    return this.#changes.splice(0);
  }

  /** Sets a record, remembering the one it replaces so the change can be undone. */
  #put(record: KeyRecord): void {
    const before = this.#records.get(record.hash);
    this.#records.set(record.hash, record);
    this.#changes.push({
      record: { ...record },
      undo: () => {
        if (before) this.#records.set(record.hash, before);
        else this.#records.delete(record.hash);
      },
    });
  }
}
