import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages by name; resolve them to their sources so that
// `vitest` runs without a build and coverage maps to the code we wrote.
const src = (pkg: string) =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@stemedb/sdk': src('sdk'),
      '@stemedb/emulator': src('emulator'),
      '@stemedb/manifests': src('manifests'),
      '@stemedb/aphoria-client': src('aphoria-client'),
      '@stemedb/admin/testing': fileURLToPath(
        new URL('./packages/admin/src/testing.ts', import.meta.url),
      ),
      '@stemedb/admin': src('admin'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // CI reads the JSON report to print its one-line summary (.ci/run).
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
  },
});
