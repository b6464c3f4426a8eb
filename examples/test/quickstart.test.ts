import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const examples = fileURLToPath(new URL('..', import.meta.url));

// The README's demo must stay true: run it as a user does, through tsx, importing the built
// packages by name (so it needs `pnpm build` first, as `pnpm demo` and `pnpm test` do).
describe('examples/quickstart.ts', () => {
  it('creates a key, writes and reads assertions, and rides out a 503 outage', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'stemedb-demo-'));
    const { stdout } = await run('npx', ['tsx', 'quickstart.ts'], {
      cwd: examples,
      env: { ...process.env, STEMEDB_URL: '', STEMEDB_ADMIN_KEY: '', STEMEDB_DEMO_DIR: demoDir },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^StemeDB at http:\/\/127\.0\.0\.1:\d+ \(emulator\)$/m);
    expect(stdout).toContain('created key for project-demo (role write_agent');
    expect(stdout).toContain('wrote 3/3 assertions');
    expect(stdout).toContain('demo/service language = "typescript"');
    expect(stdout).toMatch(/attempt 1 failed \(unavailable\); retrying in 2 s/);
    expect(stdout).toMatch(/written through the outage in \d+\.\d s/);
    expect(stdout).toContain('a write_agent key may not list keys: 403 forbidden');
    expect(stdout).toMatch(/deployment: \d+ objects, 0 errors, \d+ warnings/);
    expect(readdirSync(join(demoDir, 'manifests'))).toContain('kustomization.yaml');
    expect(readdirSync(join(demoDir, 'manifests'))).toContain('deployment-stemedb-api.yaml');
    expect(stdout.trimEnd().endsWith('done')).toBe(true);
    // The plaintext project key is never printed.
    expect(stdout).not.toMatch(/steme_live_[0-9a-f]{48}/);
  });
});
