/**
 * The contract every secret store meets, run against each of them (file, memory, gcp through
 * the local gRPC Secret Manager, k8s through the local Secrets API server).
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSecretStoreError, type SecretStore } from '../../src/index.js';

/** A backend under test: a store, and a second, independent store on the same backend. */
export interface ContractBackend {
  store: SecretStore;
  /** Another store on the same data, as a second process would open it. */
  openAnother(): Promise<SecretStore>;
  cleanup(): Promise<void>;
}

const KEY_A = `steme_live_${'a1'.repeat(24)}`;
const KEY_B = `steme_live_${'b2'.repeat(24)}`;

/** Registers the contract suite for one kind of store. */
export function secretStoreContract(kind: string, setup: () => Promise<ContractBackend>): void {
  describe(`${kind}: the SecretStore contract`, () => {
    let backend: ContractBackend;
    let store: SecretStore;
    const others: SecretStore[] = [];
    beforeEach(async () => {
      backend = await setup();
      store = backend.store;
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await store.close();
      await backend.cleanup();
    });
    async function another(): Promise<SecretStore> {
      const other = await backend.openAnother();
      others.push(other);
      return other;
    }

    it('reads an absent secret as undefined, with no versions', async () => {
      expect(await store.readLatest('stemedb-key-absent')).toBeUndefined();
      expect(await store.listVersions('stemedb-key-absent')).toEqual([]);
    });

    it('reads back the latest written version, from another store on the same backend too', async () => {
      const first = await store.writeVersion('stemedb-key-alpha', KEY_A);
      expect(await store.readLatest('stemedb-key-alpha')).toBe(KEY_A);
      const second = await store.writeVersion('stemedb-key-alpha', KEY_B);
      expect(Number(second.version)).toBeGreaterThan(Number(first.version));
      expect(await store.readLatest('stemedb-key-alpha')).toBe(KEY_B);
      expect(await (await another()).readLatest('stemedb-key-alpha')).toBe(KEY_B);
    });

    it('keeps versions in increasing order, without their values', async () => {
      for (const value of [KEY_A, KEY_B, KEY_A]) await store.writeVersion('stemedb-key-rot', value);
      const versions = await store.listVersions('stemedb-key-rot');
      expect(versions).toHaveLength(3);
      const ids = versions.map((v) => Number(v.version));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(new Set(ids).size).toBe(3);
      expect(JSON.stringify(versions)).not.toContain('steme_live_');
    });

    it('writeIfAbsent writes once, then returns what is stored', async () => {
      const first = await store.writeIfAbsent('stemedb-root-api-key', KEY_A);
      expect(first).toMatchObject({ written: true, value: KEY_A });
      const second = await store.writeIfAbsent('stemedb-root-api-key', KEY_B);
      expect(second).toEqual({ written: false, value: KEY_A, version: first.version });
      expect(await store.readLatest('stemedb-root-api-key')).toBe(KEY_A);
    });

    it('writeIfAbsent has exactly one winner when two stores race, and both see it', async () => {
      const other = await another();
      for (let round = 0; round < 3; round++) {
        const name = `stemedb-race-${round}`;
        const [a, b] = await Promise.all([
          store.writeIfAbsent(name, KEY_A),
          other.writeIfAbsent(name, KEY_B),
        ]);
        expect([a.written, b.written].filter(Boolean)).toHaveLength(1);
        const winner = a.written ? KEY_A : KEY_B;
        expect(a.value).toBe(winner);
        expect(b.value).toBe(winner);
        expect(await store.readLatest(name)).toBe(winner);
        expect(await other.readLatest(name)).toBe(winner);
      }
    });

    it('lists names by prefix, sorted', async () => {
      for (const name of [
        'stemedb-key-b',
        'stemedb-key-a',
        'stemedb-root-api-key',
        'other-key-c',
      ]) {
        await store.writeVersion(name, KEY_A);
      }
      expect(await store.list('stemedb-key-')).toEqual(['stemedb-key-a', 'stemedb-key-b']);
      expect(await store.list('stemedb-')).toEqual([
        'stemedb-key-a',
        'stemedb-key-b',
        'stemedb-root-api-key',
      ]);
      expect(await store.list('')).toEqual([
        'other-key-c',
        'stemedb-key-a',
        'stemedb-key-b',
        'stemedb-root-api-key',
      ]);
      expect(await store.list('nothing-')).toEqual([]);
    });

    it('deletes a secret with every version, and deleting an absent one is quiet', async () => {
      await store.writeVersion('stemedb-key-gone', KEY_A);
      await store.writeVersion('stemedb-key-kept', KEY_B);
      await store.delete('stemedb-key-gone');
      expect(await store.readLatest('stemedb-key-gone')).toBeUndefined();
      expect(await store.listVersions('stemedb-key-gone')).toEqual([]);
      expect(await store.list('stemedb-key-')).toEqual(['stemedb-key-kept']);
      await expect(store.delete('stemedb-key-gone')).resolves.toBeUndefined();
      const again = await store.writeIfAbsent('stemedb-key-gone', KEY_B);
      expect(again.written).toBe(true);
    });

    it('refuses invalid names and values without echoing the value', async () => {
      for (const name of [
        '',
        'Upper',
        'has_underscore',
        '-lead',
        'trail-',
        'a'.repeat(254),
        'dot.ted',
      ]) {
        const error = await store.readLatest(name).catch((e: unknown) => e);
        expect(isSecretStoreError(error) && error.code).toBe('invalid_secret_name');
      }
      const bad = await store.writeVersion('stemedb-key-x', '').catch((e: unknown) => e);
      expect(isSecretStoreError(bad) && bad.code).toBe('invalid_secret_value');
    });

    it('rejects with aborted when the signal has fired', async () => {
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      const error = await store
        .writeVersion('stemedb-key-x', KEY_A, { signal: controller.signal })
        .catch((e: unknown) => e);
      expect(isSecretStoreError(error) && error.code).toBe('aborted');
      expect(await store.readLatest('stemedb-key-x')).toBeUndefined();
    });

    it('fails every call with store_closed after close, and close is idempotent', async () => {
      await store.writeVersion('stemedb-key-x', KEY_A);
      await store.close();
      await store.close();
      for (const call of [
        () => store.readLatest('stemedb-key-x'),
        () => store.writeVersion('stemedb-key-x', KEY_B),
        () => store.list(''),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(isSecretStoreError(error) && error.code).toBe('store_closed');
      }
    });

    it('shows no value in errors, toJSON, inspect or the store object', async () => {
      await store.writeVersion('stemedb-key-x', KEY_A);
      const error = await store.writeVersion('Bad Name', KEY_A).catch((e: unknown) => e);
      for (const text of [
        String(error),
        JSON.stringify(error),
        inspect(error, { depth: 5 }),
        JSON.stringify(store),
        inspect(store, { depth: 5 }),
      ]) {
        expect(text).not.toContain(KEY_A);
        expect(text).not.toContain('a1a1a1');
      }
    });
  });
}
