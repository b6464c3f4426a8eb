/** The writer's version put in every journal header is the package's own. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_VERSION } from '../../src/version.js';

describe('CLIENT_VERSION', () => {
  it("is package.json's version", async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(CLIENT_VERSION).toBe(pkg.version);
  });
});
