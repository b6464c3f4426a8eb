/**
 * The API reference (`pnpm run docs`: TypeDoc over every package's entry points, `typedoc.json`)
 * builds, has a page for every entry point a package exports, and fails on a doc comment TypeDoc
 * cannot read. This test is what builds the reference in `pnpm test`, and so in CI: a broken
 * `{@link}`, an unknown tag or an export without a doc comment fails here, not in front of a
 * reader.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpecifiers, REPO_ROOT, workspacePackages } from './support/packages.js';
import { type RunResult, runNode } from './support/spawn.js';

/** TypeDoc's launcher, run on the Node that runs the suite (`pnpm run docs` runs it too). */
const TYPEDOC = join(REPO_ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
const CONFIG = join(REPO_ROOT, 'typedoc.json');
/** Only stops a hung child: the real run is the slow one, and it takes a fraction of this. */
const RUN_LIMIT_MS = 120_000;

const work = mkdtempSync(join(tmpdir(), 'stemedb-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs TypeDoc from the repository's root, as `pnpm run docs` does. */
function typedoc(args: readonly string[]): Promise<RunResult> {
  return runNode([TYPEDOC, ...args], { cwd: REPO_ROOT, timeoutMs: RUN_LIMIT_MS });
}

/**
 * A one-file project documented with the repository's options and tags (its typedoc.json and
 * tsdoc.json extend the real ones). Returns TypeDoc's arguments for it.
 */
function fixture(name: string, source: string): string[] {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.ts'),
    `/**\n * A fixture.\n *\n * @module fixture\n */\n${source}`,
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext' }, include: ['*.ts'] }),
  );
  // TypeDoc reads the tags from the tsdoc.json beside the tsconfig.
  writeFileSync(
    join(dir, 'tsdoc.json'),
    JSON.stringify({ extends: [join(REPO_ROOT, 'tsdoc.json')] }),
  );
  // A config of its own rather than flags: a `--tsconfig` flag is read only after the options
  // file has chosen the tsconfig.
  const config = join(dir, 'typedoc.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: [CONFIG],
      entryPoints: ['index.ts'],
      tsconfig: 'tsconfig.json',
      out: 'out',
    }),
  );
  return ['--options', config];
}

/** One function documented by `comment`. */
const documented = (name: string, comment: string) =>
  `\n${comment}\nexport function ${name}(): string {\n  return 'hi';\n}\n`;

/**
 * Each fault that must fail the build, one fixture each (TypeDoc stops at the first stage that
 * warns): what it documents, and how the warning names it.
 */
const FAULTS = {
  'a {@link} to nothing': {
    source: documented('linked', '/** Says hi; see {@link greeet}. */'),
    message: /Failed to resolve link to "greeet" in comment for (fixture\.)?linked/,
  },
  'an unknown tag': {
    source: documented('tagged', '/**\n * Says hi.\n * @retrun the greeting\n */'),
    message: /unknown block tag @retrun/,
  },
  'an export with no doc comment': {
    source: documented('undocumented', ''),
    message: /undocumented \(\w+\), defined in .*does not have any documentation/,
  },
} as const;
type Fault = keyof typeof FAULTS;

/** The near miss of every fault at once, with a tag only tsdoc.json declares. */
const SOUND_SOURCE = [
  documented('linked', '/** Says hi; see {@link tagged}. */'),
  documented(
    'tagged',
    '/**\n * Says hi.\n * @description As the generated OpenAPI types write it.\n * @returns the greeting\n */',
  ),
  documented('undocumented', '/** Says hi. */'),
].join('');

const OUT = join(work, 'api');
const JSON_OUT = join(work, 'api.json');
/** Every run, started together: the fixtures are small beside the real one. */
let runs: {
  reference: Promise<RunResult>;
  sound: Promise<RunResult>;
  faults: Record<Fault, Promise<RunResult>>;
};
beforeAll(() => {
  const faults = Object.keys(FAULTS) as Fault[];
  runs = {
    reference: typedoc(['--options', CONFIG, '--out', OUT, '--json', JSON_OUT]),
    sound: typedoc(fixture('sound', SOUND_SOURCE)),
    faults: Object.fromEntries(
      faults.map((fault, i) => [fault, typedoc(fixture(`fault-${i}`, FAULTS[fault].source))]),
    ) as Record<Fault, Promise<RunResult>>,
  };
});

/** TypeDoc's warning lines (uncoloured: `runNode` sets `NO_COLOR`, which TypeDoc honours). */
function warnings(result: RunResult): string[] {
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => line.includes('[warning]'));
}

/** `@stemedb/admin` and `@stemedb/admin/testing`: every export of a package that has types. */
function typedEntryPoints(): string[] {
  return workspacePackages().flatMap((pkg) =>
    exportSpecifiers(pkg, (target) => JSON.stringify(target).includes('"types"')),
  );
}

interface ProjectJson {
  children?: { name: string; children?: unknown[] }[];
}

describe('the API reference of every package', () => {
  it(
    'builds with no warning and no error',
    async () => {
      const run = await runs.reference;
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).not.toMatch(/\[(warning|error)\]/);
    },
    RUN_LIMIT_MS,
  );

  it(
    'has one module for each typed entry point of each package, none of them empty',
    async () => {
      await runs.reference;
      const project = JSON.parse(readFileSync(JSON_OUT, 'utf8')) as ProjectJson;
      const modules = project.children ?? [];
      expect(modules.map((m) => m.name).sort()).toEqual(typedEntryPoints().sort());
      for (const module of modules) expect(module.children?.length ?? 0).toBeGreaterThan(0);
    },
    RUN_LIMIT_MS,
  );

  it(
    'writes an HTML page for each module, linked from the index',
    async () => {
      await runs.reference;
      const index = readFileSync(join(OUT, 'index.html'), 'utf8');
      for (const name of typedEntryPoints()) {
        const page = `modules/${name.replace(/[@/]/g, '_')}.html`;
        expect(existsSync(join(OUT, page)), page).toBe(true);
        expect(index).toContain(`href="${page}"`);
      }
    },
    RUN_LIMIT_MS,
  );
});

describe('a doc comment TypeDoc cannot read fails the build', () => {
  it(
    'builds the corrected comments, with a tag only tsdoc.json declares (the near miss)',
    async () => {
      const run = await runs.sound;
      expect(warnings(run)).toEqual([]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    },
    RUN_LIMIT_MS,
  );

  it.each(Object.keys(FAULTS) as Fault[])(
    'fails on %s, naming it',
    async (fault) => {
      const run = await runs.faults[fault];
      expect(run.code).not.toBe(0);
      const lines = warnings(run);
      expect(
        lines.some((line) => FAULTS[fault].message.test(line)),
        lines.join('\n'),
      ).toBe(true);
    },
    RUN_LIMIT_MS,
  );
});
