import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSecretStore } from '../../src/index.js';
import { secretStoreContract } from './contract.js';

secretStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'admin-file-store-'));
  const path = join(dir, 'secrets.json');
  return {
    store: createFileSecretStore({ path }),
    openAnother: async () => createFileSecretStore({ path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
