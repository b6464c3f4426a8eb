/**
 * Interleavings (issue 22, "Done when"): provision, rotate, rotate --all and revoke started
 * together against the emulator over loopback, every store call passing through fast-check's
 * scheduler (which picks the order), any run stopped at any store call, and the clock moving
 * between runs. A run is stopped in one of three ways: killed before the call goes out, or
 * after it has landed with its answer never seen (a write committed, then the process killed),
 * both hanging there for good and holding the lease as a killed process would; or interrupted
 * there (its signal fires, as Ctrl-C or SIGTERM, and it winds down by itself). A StemeDB call
 * between two store calls needs no crash point of its own: what a run leaves behind when killed
 * during it (the key minted or revoked, or not) is what it leaves when killed just before the
 * store call after it, or just after the one before it, both of which are drawn. At every step: each listed project's stored latest key is live, and besides it at most one key
 * of the label is live. At the end, once grace plus lease have passed and one more provision
 * has run: exactly the stored key is live. Nothing printed holds a key.
 *
 * Bounded: STEMEDB_FUZZ_RUNS runs when set, else each suite's own count (6 against each of the
 * memory and file stores and the gcp store through the local Secret Manager; 12 against the k8s
 * store through the Kubernetes API double: Secrets by server-side apply, a coordination.k8s.io
 * Lease). Each run starts its own emulator (and, for k8s, its own namespace of one API double).
 */
import { join } from 'node:path';
import { hashApiKey } from '@stemedb/sdk';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { provision } from '../../src/commands/provision.js';
import { revoke } from '../../src/commands/revoke.js';
import { rotate } from '../../src/commands/rotate.js';
import { createFileSecretStore } from '../../src/stores/file.js';
import { createGcpSecretStore } from '../../src/stores/gcp.js';
import { createK8sSecretStore } from '../../src/stores/k8s.js';
import { decodeSecret } from '../../src/stores/k8s-format.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { projectKeyLabel, projectKeySecret } from '../../src/stores/names.js';
import type { SecretStore } from '../../src/stores/types.js';
import {
  type KubernetesSecretsServer,
  startKubernetesSecretsServer,
  startSecretManagerEmulator,
} from '../../src/testing.js';
import { startServer, tempDir } from './server.js';

// STEMEDB_FUZZ_RUNS, when set, overrides every suite's own default.
const FUZZ_RUNS = process.env.STEMEDB_FUZZ_RUNS;
const DEFAULT_RUNS = 6;
const MIN = 60_000;
const HOUR = 3_600_000;
const GRACE = 2 * HOUR;

type Op = { kind: 'provision' | 'rotateAll' } | { kind: 'rotate' | 'revoke'; target: 0 | 1 | 2 };
interface Step {
  op: Op;
  /** How far the clock moves before this run starts. */
  advanceMs: number;
  /** The store call (1-based, of this run) at which it crashes, if it does. */
  crashAt: number | undefined;
  /**
   * How the run dies at `crashAt`: `before` the call goes out, `after` it has landed (its answer
   * never seen), both for good, holding the lease as a killed process would; or `abort`: its
   * signal fires there (a Ctrl-C or SIGTERM) and it winds down by itself.
   */
  crash: 'before' | 'after' | 'abort';
  grace: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.oneof(
    fc.constant({ kind: 'provision' as const }),
    fc.constant({ kind: 'rotateAll' as const }),
    fc.record({ kind: fc.constant('rotate' as const), target: fc.constantFrom(0, 1) }),
    // Only the project not in the file is off-boarded: off-boarding a listed one kills its key
    // on purpose, which the invariant would (rightly) flag.
    fc.record({ kind: fc.constant('revoke' as const), target: fc.constant(2 as const) }),
  ),
  advanceMs: fc.constantFrom(0, 30_000, 2 * MIN, GRACE + 2 * MIN),
  crashAt: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  crash: fc.constantFrom('before' as const, 'after' as const, 'abort' as const),
  grace: fc.constantFrom(0, GRACE),
});

/** A store whose every call waits for the scheduler, and which can crash its run. */
function scheduled(
  inner: SecretStore,
  s: fc.Scheduler,
  label: string,
  crashAt: number | undefined,
  crash: Step['crash'],
  onCrash: () => void,
  landings: Promise<unknown>[],
): SecretStore {
  let calls = 0;
  const wrap =
    <A extends unknown[], R>(name: string, f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls += 1;
      await s.schedule(Promise.resolve(), `${label} ${name}`);
      if (crashAt !== undefined && calls >= crashAt) {
        if (crash === 'abort') {
          // A signal, not a death: the run sees it and must leave things as sound as a kill.
          if (calls === crashAt) onCrash();
          return f(...args);
        }
        // The call that reaches the crash point lands (when `after`) and the run dies with it;
        // any call the dead run's stray timers still make goes nowhere.
        // Calls in flight together reach it together (the count is read once the scheduler lets
        // each go), so more than one may land; `landings` lets the repair run wait for them.
        if (crash === 'after' && calls === crashAt) {
          const landing = f(...args).catch(() => undefined);
          landings.push(landing);
          await landing;
        }
        onCrash();
        return new Promise<R>(() => {});
      }
      return f(...args);
    };
  return {
    spec: inner.spec,
    readLatest: wrap('readLatest', inner.readLatest.bind(inner)),
    writeVersion: wrap('writeVersion', inner.writeVersion.bind(inner)),
    writeIfAbsent: wrap('writeIfAbsent', inner.writeIfAbsent.bind(inner)),
    list: wrap('list', inner.list.bind(inner)),
    listVersions: wrap('listVersions', inner.listVersions.bind(inner)),
    preflight: wrap('preflight', inner.preflight.bind(inner)),
    delete: wrap('delete', inner.delete.bind(inner)),
    acquireLease: wrap('acquireLease', inner.acquireLease.bind(inner)),
    close: async () => {},
  };
}

let round = 0;

/** A store the interleavings run against. */
export type Kind = 'memory' | 'file' | 'gcp' | 'k8s';

/** A store, a way to read a secret's latest value past the store, and how to close both. */
interface Backend {
  store: SecretStore;
  /**
   * The latest value of `name` as the store would read it, for the invariant (checked after
   * every scheduled step). From the backend's own state where it has one in this process (the
   * Kubernetes API double), so that checking costs no request: the checks were most of a k8s
   * run's requests.
   */
  latest(name: string): Promise<string | undefined>;
  close(): Promise<void>;
}

// One Kubernetes API double for the file, a namespace per run: starting one per run cost more
// than the run's own requests.
let k8sServer: KubernetesSecretsServer | undefined;

async function openStore(kind: Kind, dir: string): Promise<Backend> {
  const through = (store: SecretStore, close: () => Promise<void> = async () => {}) => ({
    store,
    latest: (name: string) => store.readLatest(name),
    close: async () => {
      await store.close();
      await close();
    },
  });
  if (kind === 'memory') return through(createMemorySecretStore());
  if (kind === 'file') return through(createFileSecretStore({ path: join(dir, 'secrets.json') }));
  if (kind === 'k8s') {
    k8sServer ??= await startKubernetesSecretsServer({ namespaces: [], token: 'tok' });
    const server = k8sServer;
    const namespace = `interleave-${round}`;
    server.addNamespace(namespace);
    const store = createK8sSecretStore({
      namespace,
      server: server.url,
      token: 'tok',
      retry: { minDelayMs: 1, maxDelayMs: 5, jitter: false },
    });
    return {
      store,
      async latest(name) {
        const secret = server.secrets(namespace).find((x) => x.metadata.name === name);
        if (secret === undefined) return undefined;
        // What decodeSecret reads of the API's JSON (the client would parse the time).
        const { annotations, creationTimestamp } = secret.metadata;
        const metadata = { annotations, creationTimestamp: new Date(creationTimestamp) };
        return decodeSecret({ data: secret.data, metadata }).latest?.value;
      },
      close: () => store.close(),
    };
  }
  const sm = await startSecretManagerEmulator();
  const store = createGcpSecretStore({
    project: 'interleave-test',
    endpoint: sm.endpoint,
    retry: { minDelayMs: 1, maxDelayMs: 5, jitter: false },
  });
  return through(store, () => sm.close());
}

async function check(kind: Kind, steps: Step[], s: fc.Scheduler): Promise<void> {
  round += 1;
  const names = ['a', 'b', 'z'].map((p) => `r${round}-${kind}-${p}`);
  const listed = names.slice(0, 2);
  const tmp = tempDir('interleave');
  // An emulator per run: the invariant lists every key after each step, and keys left by
  // earlier runs made each list, and so each later run, longer.
  const server = await startServer();
  const backend = await openStore(kind, tmp.dir);
  const { store } = backend;
  const base = { url: server.url, adminKey: server.rootKey, client: { retry: false as const } };
  let t = Date.now();
  const now = () => new Date(t);
  try {
    await provision({ ...base, store, projects: names, now });

    const printed: string[] = [];
    const violations: string[] = [];
    const invariant = async (when: string) => {
      const { keys } = await server.admin.admin.listApiKeys();
      for (const project of listed) {
        const live = keys.filter((k) => k.label === projectKeyLabel(project) && !k.revoked_at);
        const stored = await backend.latest(projectKeySecret(project));
        const hash = stored === undefined ? undefined : hashApiKey(stored);
        if (!live.some((k) => k.hash === hash))
          violations.push(`${when}: ${project} stored key not live`);
        if (live.length > 2) violations.push(`${when}: ${project} has ${live.length} live keys`);
      }
    };

    const landings: Promise<unknown>[] = [];
    const runs = steps.map((step, i) => {
      t += step.advanceMs;
      const interrupt = new AbortController();
      let crashed!: () => void;
      const crash = new Promise<string>((resolve) => {
        crashed =
          step.crash === 'abort'
            ? () => interrupt.abort(new Error('interrupted'))
            : () => resolve('crashed');
      });
      const runStore = scheduled(store, s, `run${i}`, step.crashAt, step.crash, crashed, landings);
      const run = { ...base, store: runStore, now, lockTimeoutMs: 200, signal: interrupt.signal };
      const op = step.op;
      const target = 'target' in op ? names[op.target] : undefined;
      const going = (async () => {
        if (op.kind === 'provision')
          return provision({ ...run, projects: listed, graceMs: step.grace });
        if (op.kind === 'rotateAll') return rotate({ ...run, all: true, graceMs: step.grace });
        if (op.kind === 'rotate') return rotate({ ...run, project: target, graceMs: step.grace });
        return revoke({ ...run, project: target!, keepSecret: true });
      })().then(
        (result) => {
          printed.push(JSON.stringify(result));
          return 'done';
        },
        (error: Error) => {
          printed.push(error.message, JSON.stringify(error));
          return 'failed';
        },
      );
      return Promise.race([going, crash]);
    });
    await s.waitFor(Promise.all(runs), async (task) => {
      await task();
      await invariant('during');
    });
    await invariant('after');

    // Grace plus lease later, one more run repairs whatever the crashes left. By then every call
    // a crashed run had in flight has landed (a dead process's requests already sent are still
    // served); the repair run does not race them.
    await Promise.all(landings);
    t += GRACE + 2 * MIN;
    const last = await provision({ ...base, store, projects: listed, now, lockTimeoutMs: 0 });
    printed.push(JSON.stringify(last));
    const { keys } = await server.admin.admin.listApiKeys();
    for (const project of listed) {
      const live = keys.filter((k) => k.label === projectKeyLabel(project) && !k.revoked_at);
      const stored = await store.readLatest(projectKeySecret(project));
      expect(
        live.map((k) => k.hash),
        `${project} at the end`,
      ).toEqual([hashApiKey(stored!)]);
    }
    expect(violations).toEqual([]);
    expect(printed.join('\n')).not.toMatch(/steme_live_[0-9a-f]{8}/);
  } finally {
    await backend.close();
    await server.close();
    tmp.remove();
  }
}

/** Defines the interleaving property against each of `kinds`, `runs` runs each (default 6). */
export function interleavingSuite(kinds: readonly Kind[], runs = DEFAULT_RUNS): void {
  const numRuns = FUZZ_RUNS === undefined ? runs : Number(FUZZ_RUNS);
  afterAll(async () => {
    await k8sServer?.close();
    k8sServer = undefined;
  });
  describe.each(kinds)('interleaved runs (%s store)', (kind) => {
    it('never leave a listed project without a live stored key, nor with stray live keys', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(stepArb, { minLength: 2, maxLength: 4 }),
          fc.scheduler(),
          (steps, s) => check(kind, steps, s),
        ),
        { numRuns, endOnFailure: true },
      );
    }, 120_000);
  });
}
