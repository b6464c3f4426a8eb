/**
 * `stemedb-manifests apply` against the fake API server
 * (support/fake-api.ts) through a kubeconfig file in KUBECONFIG, run as users run it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLYSET_PART_OF_LABEL,
  APPLYSET_TOOLING_ANNOTATION,
  applySetId,
} from '../src/cluster/applyset.js';
import { sortForApply } from '../src/cluster/order.js';
import type { KubeObject } from '../src/types.js';
import {
  BUNDLE,
  CONFIG,
  expectOneLineError,
  FAILING,
  file,
  hasScript,
  onTerminal,
  PACKAGE,
  run,
  work,
} from './support/cli.js';
import { apiPath, type FakeApiServer, startFakeApi, status, TOKEN } from './support/fake-api.js';

let server: FakeApiServer;
let kubeconfig: string;
beforeAll(async () => {
  server = await startFakeApi();
  kubeconfig = server.writeKubeconfig(file('kubeconfig', ''));
});
afterAll(() => server.close());

/** Runs the CLI against the fake API server. */
const cluster = (args: string[], env: Record<string, string> = {}) =>
  run(args, { KUBECONFIG: kubeconfig, ...env });
const patches = () => server.current().patches();
const APPLY_PATHS = sortForApply(BUNDLE).map(apiPath);
/** The ApplySet's parent, written after the Namespace (cluster-prune.test.ts has the rest). */
const PARENT = '/api/v1/namespaces/stemedb/secrets/stemedb-applyset';
const members = () => patches().filter((r) => r.path !== PARENT);
/** `o` as apply sends it: every object but the Namespace labelled as a member of the set. */
const member = (o: KubeObject): KubeObject =>
  o.kind === 'Namespace'
    ? o
    : {
        ...o,
        metadata: {
          ...o.metadata,
          labels: {
            ...o.metadata.labels,
            [APPLYSET_PART_OF_LABEL]: applySetId('stemedb-applyset', 'stemedb', 'Secret', ''),
          },
        },
      };

describe('apply', () => {
  it('server-side applies every object in dependency order as stemedb-manifests', async () => {
    server.reset();
    const result = await cluster(['apply', '--config', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    expect(patches().map((r) => r.path)).toEqual([APPLY_PATHS[0], PARENT, ...APPLY_PATHS.slice(1)]);
    const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    expect(patches()[1]?.body?.metadata.annotations?.[APPLYSET_TOOLING_ANNOTATION]).toBe(
      `stemedb-manifests/v${version}`,
    );
    for (const patch of members()) {
      expect(patch.query.get('fieldManager')).toBe('stemedb-manifests');
      expect(patch.query.get('fieldValidation')).toBe('Strict');
      expect(patch.query.has('force')).toBe(false);
      expect(patch.headers.get('content-type')).toBe('application/apply-patch+yaml');
      expect(patch.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    }
    expect(members().map((r) => r.body)).toEqual(sortForApply(BUNDLE).map(member));
    expect(result.stdout.split('\n')[0]).toBe('created Namespace/stemedb');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(BUNDLE.length);
    expect(result.stderr).not.toContain('applying'); // progress is for terminals only
  });

  it.runIf(hasScript)('shows progress on a terminal', async () => {
    server.reset();
    const output = await onTerminal(['apply', '--config', CONFIG], {
      KUBECONFIG: kubeconfig,
    });
    expect(output).toContain(`[1/${BUNDLE.length}] applying Namespace/stemedb`);
    expect(output).toContain(`[${BUNDLE.length}/${BUNDLE.length}] applying`);
    expect(patches()).toHaveLength(BUNDLE.length + 1);
  });

  it('--dry-run sends dryRun=All and persists nothing', async () => {
    server.reset();
    const result = await cluster(['apply', '--config', CONFIG, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(patches()).toHaveLength(BUNDLE.length);
    expect(patches().every((r) => r.query.get('dryRun') === 'All')).toBe(true);
    expect(server.current().objects.size).toBe(0);
    expect(result.stdout).toContain('(server dry run)');
  });

  it('--force-conflicts and --field-manager reach the query', async () => {
    server.reset();
    const result = await cluster([
      'apply',
      '--config',
      CONFIG,
      '--force-conflicts',
      '--field-manager',
      'ops-team',
    ]);
    expect(result.code, result.stderr).toBe(0);
    for (const patch of members()) {
      expect(patch.query.get('force')).toBe('true');
      expect(patch.query.get('fieldManager')).toBe('ops-team');
    }
  });

  it('--json prints the results, configured on a second apply', async () => {
    server.reset();
    await cluster(['apply', '--config', CONFIG]);
    const result = await cluster(['apply', '--config', CONFIG, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.ok).toBe(true);
    expect(out.results).toHaveLength(BUNDLE.length);
    expect(out.results[0]).toEqual({
      ref: 'Namespace/stemedb',
      action: 'configured',
      dryRun: false,
    });
  });

  it('refuses to apply a bundle with errors, and sends nothing', async () => {
    server.reset();
    const result = await cluster(['apply', '--config', FAILING]);
    expect(result.code).toBe(1);
    expect(server.current().requests).toEqual([]);
    expect(result.stderr).toContain('[policy/liveness-kills-slow-database]');
    expect(result.stderr).toMatch(
      /\nstemedb-manifests: 1 error in the bundle .*refusing to apply\n$/,
    );
  });

  it('exits 1 with one line naming the object when the server refuses it, and what went before', async () => {
    server.reset({
      override: (req) =>
        req.method === 'PATCH' && req.path.endsWith('/deployments/stemedb-api')
          ? [403, status(403, 'Forbidden', 'deployments.apps is forbidden')]
          : undefined,
    });
    const result = await cluster(['apply', '--config', CONFIG]);
    const before = APPLY_PATHS.indexOf(apiPath(BUNDLE.find((o) => o.kind === 'Deployment')!));
    expectOneLineError(
      result,
      1,
      new RegExp(
        `^stemedb-manifests: Deployment/stemedb/stemedb-api: forbidden \\(403\\).*\\(${before} applied before it\\)\\n$`,
      ),
      true,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
    // The objects before it, the ApplySet's parent, and the Deployment refused.
    expect(patches()).toHaveLength(before + 2);
  });

  it('exits 2 when there is no kubeconfig', async () => {
    const result = await run(['apply', '--config', CONFIG], {
      KUBECONFIG: join(work, 'no-such-kubeconfig'),
    });
    expectOneLineError(
      result,
      2,
      /KUBECONFIG names .*no-such-kubeconfig, which does not exist/,
      true,
    );
  });

  it('exits 2 for a context the kubeconfig does not have', async () => {
    const result = await cluster(['apply', '--config', CONFIG, '--context', 'prod']);
    expectOneLineError(result, 2, /no context "prod" in the kubeconfig \(it has: fake\)/, true);
  });
});
