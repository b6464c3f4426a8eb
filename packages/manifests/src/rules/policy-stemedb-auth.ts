/**
 * StemeDB's own switches (roadmap ship blockers 1–2): the server serves writes without any key
 * unless STEMEDB_AUTH_ENABLED=true, and STEMEDB_UNSAFE_SKIP_SIGNATURES=true together with auth
 * is a fatal startup error (the pod crash-loops). Neither shows up until traffic arrives.
 */
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

export const policyStemedbAuth: Rule = {
  id: 'policy/stemedb-auth',
  severity: 'error',
  description:
    'The StemeDB server container sets STEMEDB_AUTH_ENABLED=true and never STEMEDB_UNSAFE_SKIP_SIGNATURES=true.',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        const env = arr(c.container.env).map(obj);
        // The server is the container told where to listen; the backup job is not.
        if (!env.some((e) => e.name === 'STEMEDB_BIND_ADDR')) continue;
        const index = (name: string) => env.findIndex((e) => e.name === name);
        const auth = index('STEMEDB_AUTH_ENABLED');
        const envPath = joinPath(c.path, 'env');
        if (auth === -1 || env[auth]!.value !== 'true') {
          yield {
            object: w.object,
            path: auth === -1 ? envPath : joinPath(c.path, 'env', auth, 'value'),
            message: `container "${c.name}" runs StemeDB without STEMEDB_AUTH_ENABLED=true: every write is accepted without an API key`,
            fix: `add { name: STEMEDB_AUTH_ENABLED, value: "true" } to ${envPath}`,
          };
        }
        const skip = index('STEMEDB_UNSAFE_SKIP_SIGNATURES');
        if (skip !== -1 && env[skip]!.value === 'true') {
          yield {
            object: w.object,
            path: joinPath(c.path, 'env', skip, 'value'),
            message: `container "${c.name}" sets STEMEDB_UNSAFE_SKIP_SIGNATURES=true: with auth on the server refuses to start; with auth off, signatures go unchecked`,
            fix: `remove STEMEDB_UNSAFE_SKIP_SIGNATURES from ${envPath}`,
          };
        }
      }
    }
  },
};
