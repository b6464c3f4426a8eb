/**
 * The workspace's published packages as a user gets them: each package's directory, its
 * `package.json` and the CLIs it declares in `bin`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One published (non-private) package of `packages/`. */
export interface WorkspacePackage {
  /** e.g. `@stemedb/sdk` */
  readonly name: string;
  /** Absolute path of the package's directory. */
  readonly dir: string;
  /** CLI name → absolute path of its launcher. */
  readonly bins: Readonly<Record<string, string>>;
  /** Its `exports` map as written (subpath → target); `{ '.': … }` when it declares none. */
  readonly exports: Readonly<Record<string, unknown>>;
}

interface PackageJson {
  name: string;
  private?: boolean;
  bin?: string | Record<string, string>;
  exports?: Record<string, unknown>;
}

/** Every published package under `packages/`, sorted by name. */
export function workspacePackages(): WorkspacePackage[] {
  const root = join(REPO_ROOT, 'packages');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name))
    .map((dir) => ({ dir, json: readPackageJson(dir) }))
    .filter(({ json }) => json !== undefined && json.private !== true)
    .map(({ dir, json }) => ({
      name: json!.name,
      dir,
      bins: Object.fromEntries(
        Object.entries(binEntries(json!)).map(([bin, path]) => [bin, join(dir, path)]),
      ),
      exports: json!.exports ?? { '.': null },
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined; // not a package (e.g. an empty folder left by a checkout)
  }
}

/** Each subpath `pkg` exports, as a user imports it (`@stemedb/admin/testing`). */
export function exportSpecifiers(
  pkg: WorkspacePackage,
  keep: (target: unknown, subpath: string) => boolean = () => true,
): string[] {
  return Object.entries(pkg.exports)
    .filter(([subpath, target]) => keep(target, subpath))
    .map(([subpath]) => `${pkg.name}${subpath.slice(1)}`);
}

function binEntries(json: PackageJson): Record<string, string> {
  if (json.bin === undefined) return {};
  if (typeof json.bin === 'string') return { [json.name.replace(/^@[^/]+\//, '')]: json.bin };
  return json.bin;
}
