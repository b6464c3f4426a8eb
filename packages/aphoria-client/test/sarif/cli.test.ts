/**
 * `aphoria-hosted persist results.sarif` spawned as a user runs it, against the emulator over
 * loopback: the log told from a native scan by content, the project from `[hosted] project` or
 * `--project`, commit and branch from the git work tree when neither the flags nor the log name
 * them, `--format` forcing a reading, and exactly once across two runs.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StemeClient } from '@stemedb/sdk';
import { describe, expect, it } from 'vitest';
import { computeScanId, readSarifFile, type Scan, scanAgentId } from '../../src/index.js';
import { cleanEnv, cli, ensureBuilt, hasStack, project } from '../cli/harness.js';
import { readBack, useEmulator } from '../support/persist.js';

const emu = useEmulator();
ensureBuilt();

const LOG = {
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'handmade', version: '1.0.0' } },
      results: [
        {
          ruleId: 'R1',
          level: 'error',
          message: { text: 'one' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'src/a.ts' },
                region: { startLine: 3, snippet: { text: 'const k = "hunter2";' } },
              },
            },
          ],
        },
        { ruleId: 'R2', message: { text: 'two' } },
      ],
    },
  ],
};

/** Every value StemeDB holds of `scan`, as JSON text. */
async function storedText(scan: Scan): Promise<string> {
  const client = new StemeClient({ baseUrl: emu().url, apiKey: emu().rootApiKey, retry: false });
  try {
    const values: unknown[] = [];
    for await (const a of client.iterateAssertions({
      agent_id: scanAgentId(computeScanId(scan)),
    })) {
      values.push(a.value);
    }
    return JSON.stringify(values);
  } finally {
    await client.close();
  }
}

/** A git work tree with one commit on `feature/sarif`, a config and the log. */
async function repo(hostedLines: string): Promise<{ root: string; commit: string }> {
  const root = await project(`url = "${emu().url}"\n${hostedLines}`);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'feature/sarif');
  await writeFile(join(root, 'README'), 'x\n');
  git('add', 'README');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
  await writeFile(join(root, 'results.sarif'), JSON.stringify(LOG));
  return { root, commit: git('rev-parse', 'HEAD') };
}

describe('aphoria-hosted persist <SARIF log>', () => {
  it('tells the log by content, takes [hosted] project and the work tree, stores it exactly once', async () => {
    const { root, commit } = await repo('project = "sarif-cli"');
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });
    const first = await cli(['persist', '--json', 'results.sarif'], root, env);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout)).toMatchObject({ total: 3, sent: 3, complete: true });
    const again = await cli(['persist', '--json', 'results.sarif'], root, env);
    expect(JSON.parse(again.stdout)).toMatchObject({ sent: 0, alreadyPresent: 3 });

    const scan = await readSarifFile(join(root, 'results.sarif'), {
      project: 'sarif-cli',
      commit,
      branch: 'feature/sarif',
      repositoryRoot: root,
    });
    expect(await readBack(emu(), scan)).toEqual({ stored: 3, missing: [], doubled: [], extra: [] });
  });

  it('lets --project, --commit and --branch win, and stores no snippet unless --include-snippets', async () => {
    const { root } = await repo('');
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });
    const commit = 'd'.repeat(40);
    const args = [
      'persist',
      '--json',
      '--project',
      'sarif-flags',
      '--commit',
      commit,
      '--branch',
      'rel',
    ];
    const result = await cli([...args, 'results.sarif'], root, env);
    expect(result.code).toBe(0);
    const scan = await readSarifFile(join(root, 'results.sarif'), {
      project: 'sarif-flags',
      commit,
      branch: 'rel',
      repositoryRoot: root,
    });
    expect(JSON.parse(result.stdout).scanId).toBeDefined();
    expect(await readBack(emu(), scan)).toMatchObject({ stored: 3, missing: [] });
    expect(await storedText(scan)).not.toContain('hunter2');

    const withSnippets = await cli(
      [...args.slice(0, -1), 'rel-snippets', '--include-snippets', 'results.sarif'],
      root,
      env,
    );
    expect(withSnippets.code).toBe(0);
    const snippetScan = await readSarifFile(join(root, 'results.sarif'), {
      project: 'sarif-flags',
      commit,
      branch: 'rel-snippets',
      repositoryRoot: root,
      includeSnippets: true,
    });
    expect(await storedText(snippetScan)).toContain('hunter2');
  });

  it('exits 2 naming the fix when no project is known, and when --format aphoria is forced', async () => {
    const { root } = await repo('');
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });
    const noProject = await cli(['persist', 'results.sarif'], root, env);
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toMatch(/--project <name> or \[hosted\] project/);
    expect(hasStack(noProject.stderr)).toBe(false);
    const forced = await cli(['persist', '--format', 'aphoria', 'results.sarif'], root, env);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/not a valid aphoria\.scan\/v1 scan: schema/);
  });

  it('refuses an invalid SARIF log naming its JSON path, and a non-JSON file forced to SARIF', async () => {
    const { root } = await repo('project = "sarif-cli-bad"');
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });
    const bad = JSON.parse(await readFile(join(root, 'results.sarif'), 'utf8'));
    bad.runs[0].results[0].level = 'fatal';
    await writeFile(join(root, 'bad.sarif'), JSON.stringify(bad));
    const result = await cli(['persist', 'bad.sarif'], root, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('runs[0].results[0].level: must be one of');
    const forced = await cli(['persist', '--format', 'sarif', 'README'], root, env);
    expect(forced.code).toBe(2);
  });
});
