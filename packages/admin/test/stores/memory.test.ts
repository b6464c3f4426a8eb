import { createMemorySecretStore } from '../../src/index.js';
import { secretStoreContract } from './contract.js';

// Two "stores on the same backend" are one store object here: memory: is per process.
secretStoreContract('memory', async () => {
  const store = createMemorySecretStore();
  const view = { ...store, close: async () => undefined };
  return { store, openAnother: async () => view, cleanup: async () => undefined };
});
