/**
 * The SDK imports undici's `Agent` by its file (src/undici-agent.ts) so that loading the SDK
 * does not run undici's whole index. These tests hold the two facts that rest on: the file is
 * the class undici exports, and the built SDK leaves the index unloaded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Agent } from '../src/undici-agent.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe("undici's Agent, imported on its own", () => {
  it('is the class undici exports', () => {
    expect(Agent).toBe(undici.Agent);
  });

  it("undici's package has no exports map that would refuse the file path", () => {
    const require = createRequire(import.meta.url);
    const manifest = require('undici/package.json') as { exports?: unknown };
    expect(manifest.exports).toBeUndefined();
  });

  it.skipIf(!existsSync(dist))(
    "the built SDK makes a client without loading undici's index (run `pnpm build` first)",
    () => {
      // A fresh process: vitest itself may have loaded the index already.
      const script = `
        import { createRequire } from 'node:module';
        const sdk = await import(${JSON.stringify(dist)});
        const client = new sdk.StemeClient({ baseUrl: 'http://127.0.0.1:9' });
        await client.close();
        const loaded = Object.keys(createRequire(import.meta.url).cache);
        process.stdout.write(JSON.stringify(loaded.filter((f) => f.includes('/undici/'))));
      `;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      const files = JSON.parse(run.stdout) as string[];
      expect(files.some((f) => f.endsWith('/lib/dispatcher/agent.js'))).toBe(true);
      expect(files.filter((f) => /\/undici\/index\.js$/.test(f))).toEqual([]);
    },
  );
});
