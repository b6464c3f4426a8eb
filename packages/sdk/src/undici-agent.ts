/**
 * undici's `Agent`, imported on its own. `import { Agent } from 'undici'` runs undici's whole
 * index (fetch, WebSocket, EventSource, the cache, mock and proxy agents, every interceptor),
 * which more than doubles what loading the SDK costs; every CLI that talks to StemeDB pays it
 * on each start (see bench/README.md). The SDK needs the keep-alive `Agent` alone.
 *
 * The deep path is safe while undici's package.json has no `exports` map (8.x) and its index
 * re-exports this very module: test/undici-agent.test.ts checks both, so an upgrade that
 * moves the file fails there rather than in a user's process.
 */
import type { Agent as UndiciAgent } from 'undici';
// @ts-expect-error undici publishes types for its index only; the class is the same (see above).
import agent from 'undici/lib/dispatcher/agent.js';

/** undici's `Agent` class (the one `import { Agent } from 'undici'` gives). */
export const Agent = agent as typeof UndiciAgent;
