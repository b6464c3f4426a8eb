import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateApiKey,
  hashApiKey,
  isApiKey,
  isKeyHash,
  StemeValidationError,
} from '../src/index.js';

describe('generateApiKey', () => {
  it('makes steme_live_ followed by 48 lowercase hex characters', () => {
    expect(generateApiKey()).toMatch(/^steme_live_[0-9a-f]{48}$/);
  });

  it('makes a different key every time', () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    expect(keys.size).toBe(100);
  });
});

describe('hashApiKey', () => {
  it('is the lowercase hex SHA-256 of the full key string', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(isKeyHash(hashApiKey(key))).toBe(true);
  });

  it('refuses a string that is not a key, without quoting it', () => {
    const almost = `${generateApiKey()}X`;
    let thrown: unknown;
    try {
      hashApiKey(almost);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StemeValidationError);
    expect((thrown as StemeValidationError).field).toBe('key');
    expect(JSON.stringify(thrown)).not.toContain(almost.slice(11, 40));
  });
});

describe('isApiKey', () => {
  const valid = generateApiKey();
  it.each([
    { given: valid, want: true },
    { given: `steme_live_${'a'.repeat(48)}`, want: true },
    { given: `steme_live_${'A'.repeat(48)}`, want: false },
    { given: `steme_live_${'a'.repeat(47)}`, want: false },
    { given: `steme_live_${'a'.repeat(49)}`, want: false },
    { given: `steme_test_${'a'.repeat(48)}`, want: false },
    { given: ` ${valid}`, want: false },
    { given: `${valid}\n`, want: false },
    { given: '', want: false },
    { given: 42, want: false },
    { given: undefined, want: false },
  ])('isApiKey($given) is $want', ({ given, want }) => {
    expect(isApiKey(given)).toBe(want);
  });
});

describe('isKeyHash', () => {
  it.each([
    { given: 'a'.repeat(64), want: true },
    { given: 'A'.repeat(64), want: false },
    { given: 'a'.repeat(63), want: false },
    { given: 'g'.repeat(64), want: false },
  ])('isKeyHash($given) is $want', ({ given, want }) => {
    expect(isKeyHash(given)).toBe(want);
  });
});
