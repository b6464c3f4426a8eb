/**
 * What loading the SDK loads: every CLI that talks to StemeDB pays it on each start. The SDK
 * imports undici's `Agent` by its file (src/undici-agent.ts), not undici's whole index, and
 * reads `STATUS_CODES` from `node:http`'s module object rather than through an ES module import
 * (whose facade runs `http`'s lazy getters, which load Node's own copy of undici). These tests
 * hold the facts that rests on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Agent } from '../src/undici-agent.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Loads the built SDK in a fresh process (vitest has loaded more), makes and closes a client. */
function loadBuilt(): { files: string[]; builtins: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const sdk = await import(${JSON.stringify(dist)});
    const client = new sdk.StemeClient({ baseUrl: 'http://127.0.0.1:9' });
    await client.close();
    const files = Object.keys(createRequire(import.meta.url).cache);
    process.stdout.write(JSON.stringify({ files, builtins: process.moduleLoadList }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { files: string[]; builtins: string[] };
}

describe('loading the SDK', () => {
  it("imports the Agent class undici exports, by a path undici's package allows", () => {
    expect(Agent).toBe(undici.Agent);
    const manifest = createRequire(import.meta.url)('undici/package.json') as { exports?: unknown };
    expect(manifest.exports).toBeUndefined();
  });

  describe.skipIf(!existsSync(dist))('the built SDK (run `pnpm build` first)', () => {
    it("loads undici's Agent without undici's index", () => {
      const { files } = loadBuilt();
      expect(files.some((f) => f.endsWith('/undici/lib/dispatcher/agent.js'))).toBe(true);
      expect(files.filter((f) => /\/undici\/index\.js$/.test(f))).toEqual([]);
    });

    it("does not make Node load its own bundled undici (node:http's lazy WebSocket getter)", () => {
      const { builtins } = loadBuilt();
      expect(builtins).toContain('NativeModule http');
      expect(builtins.filter((m) => m.includes('deps/undici'))).toEqual([]);
    });
  });
});
