import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A key, or a placeholder for one, assigned or passed on a command line: what `ps` and shell
 * history keep, and what a reader copies. Taking the key from the store with `$(...)` is what
 * the docs show instead.
 */
const KEY_ON_COMMAND_LINE =
  /STEMEDB_[A-Z_]*KEY=(?!"?\$\()|(Bearer |--[a-z-]*key[ =])steme_live_|steme_live_\S*\s+(npx|node|pnpm|tsx|curl|aphoria)\b/;

/** Every text a reader copies commands from: the READMEs, the docs and the examples. */
function documents(): string[] {
  const files = [join(root, 'README.md')];
  const examples = join(root, 'examples');
  for (const file of readdirSync(examples)) {
    if (/\.(ts|md)$/.test(file)) files.push(join(examples, file));
  }
  const packages = join(root, 'packages');
  for (const name of readdirSync(packages)) {
    files.push(join(packages, name, 'README.md'));
    const docs = join(packages, name, 'docs');
    let entries: string[] = [];
    try {
      entries = readdirSync(docs);
    } catch {
      continue; // a package without a docs folder
    }
    for (const file of entries) if (file.endsWith('.md')) files.push(join(docs, file));
  }
  return files;
}

describe('the documentation', () => {
  it('matches what it is meant to catch', () => {
    expect('STEMEDB_API_KEY=steme_live_… npx tsx x.ts').toMatch(KEY_ON_COMMAND_LINE);
    expect("curl -H 'Authorization: Bearer steme_live_abcd'").toMatch(KEY_ON_COMMAND_LINE);
    expect('aphoria-hosted --api-key steme_live_abcd').toMatch(KEY_ON_COMMAND_LINE);
    expect('export STEMEDB_API_KEY="$(gcloud secrets versions access latest)"').not.toMatch(
      KEY_ON_COMMAND_LINE,
    );
    expect('a key is `steme_live_` + 48 lowercase hex').not.toMatch(KEY_ON_COMMAND_LINE);
  });

  it('shows no key on a command line in any README, doc or example', () => {
    const files = documents();
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const shown = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => KEY_ON_COMMAND_LINE.test(line));
      expect({ file, shown }).toEqual({ file, shown: [] });
    }
  });
});
