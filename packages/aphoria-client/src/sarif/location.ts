/**
 * A SARIF result's place in the repository: the first physical location's URI made relative
 * to the repository root through `originalUriBaseIds` (and the run's `artifacts`), and the
 * region's lines.
 */
import { isAbsolute, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunContext, SarifArtifactLocation, SarifRegion, SarifResult } from './types.js';

/** The file of a result with no physical location: the repository as a whole. */
export const NO_LOCATION_FILE = '.';

/** Where a result points: a repository-relative path (or an absolute URI outside it) and lines. */
export interface ResultPlace {
  readonly file: string;
  readonly line: number;
  readonly endLine: number;
  /** The region's text, when the producer included it. */
  readonly snippet: string | undefined;
  /** The region's text, else the context region's: what a fingerprint may hash. */
  readonly regionText: string | undefined;
}

const MAX_LINE = 2_147_483_647;
const MAX_BASE_DEPTH = 16;

/** `run`'s bases and the repository root, resolved once per run. */
export class RunLocations {
  readonly #run: RunContext;
  readonly #root: string | undefined;
  readonly #rootBases: ReadonlySet<string>;

  /** `repositoryRoot`: an absolute directory; `file:` URIs under it become relative to it. */
  constructor(run: RunContext, repositoryRoot: string | undefined) {
    this.#run = run;
    this.#root = repositoryRoot;
    // versionControlProvenance[].mappedTo names the base that *is* the repository root.
    this.#rootBases = new Set(
      (run.versionControlProvenance ?? [])
        .map((v) => v.mappedTo?.uriBaseId)
        .filter((id): id is string => id !== undefined),
    );
  }

  /** The place of `result`: its first physical location, or the repository as a whole. */
  placeOf(result: SarifResult): ResultPlace {
    const physical = result.locations?.find(
      (l) => l.physicalLocation !== undefined,
    )?.physicalLocation;
    const artifact = physical?.artifactLocation;
    const file = artifact === undefined ? undefined : this.pathOf(artifact);
    if (file === undefined) {
      return {
        file: NO_LOCATION_FILE,
        line: 1,
        endLine: 1,
        snippet: undefined,
        regionText: undefined,
      };
    }
    const region: SarifRegion = physical?.region ?? {};
    const line = clampLine(region.startLine);
    const endLine = Math.max(line, clampLine(region.endLine ?? region.startLine));
    const snippet = region.snippet?.text;
    return {
      file,
      line,
      endLine,
      snippet,
      regionText: snippet ?? physical?.contextRegion?.snippet?.text,
    };
  }

  /** The repository-relative path of an artifact location, or `undefined` when it has no URI. */
  pathOf(location: SarifArtifactLocation): string | undefined {
    const resolved = this.#resolve(location, 0);
    if (resolved === undefined) return undefined;
    if (resolved.relativeToRoot) return normalise(resolved.uri);
    if (/^file:/i.test(resolved.uri)) {
      let path: string;
      try {
        path = fileURLToPath(resolved.uri);
      } catch {
        return resolved.uri;
      }
      if (this.#root !== undefined) {
        const rel = relative(this.#root, path);
        if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
          return rel.split('\\').join('/');
        }
      }
      return path;
    }
    // Another scheme (https:, …) is kept whole; a relative reference with no known base is
    // taken as relative to the repository root, as GitHub does.
    if (/^[a-z][a-z0-9+.-]*:/i.test(resolved.uri)) return resolved.uri;
    return normalise(resolved.uri);
  }

  // The location's URI joined onto its base's, recursively. `relativeToRoot` once a base that
  // is the repository root (or an undefined base, which only the log's consumer can know) is met.
  #resolve(
    location: SarifArtifactLocation,
    depth: number,
  ): { uri: string; relativeToRoot: boolean } | undefined {
    let uri = location.uri;
    let baseId = location.uriBaseId;
    if (uri === undefined && location.index !== undefined) {
      const listed = this.#run.artifacts?.[location.index]?.location;
      uri = listed?.uri;
      baseId ??= listed?.uriBaseId;
    }
    if (uri === undefined) return undefined;
    if (baseId === undefined || depth > MAX_BASE_DEPTH) return { uri, relativeToRoot: false };
    if (this.#rootBases.has(baseId)) return { uri, relativeToRoot: true };
    const base = this.#run.originalUriBaseIds?.[baseId];
    if (base === undefined || base.uri === undefined) return { uri, relativeToRoot: true };
    const parent = this.#resolve(base, depth + 1);
    if (parent === undefined) return { uri, relativeToRoot: true };
    const baseUri = parent.uri.endsWith('/') ? parent.uri : `${parent.uri}/`;
    if (parent.relativeToRoot || !/^[a-z][a-z0-9+.-]*:/i.test(baseUri)) {
      return { uri: posix.join(baseUri, uri), relativeToRoot: parent.relativeToRoot };
    }
    return { uri: new URL(uri, baseUri).href, relativeToRoot: false };
  }
}

/** A relative URI as a clean repository path: decoded, `./` and empty segments dropped. */
function normalise(uri: string): string {
  let path: string;
  try {
    path = decodeURIComponent(uri);
  } catch {
    path = uri;
  }
  const clean = posix
    .normalize(path)
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
  return clean === '' || clean === '.' ? NO_LOCATION_FILE : clean;
}

function clampLine(value: number | undefined): number {
  if (value === undefined || !Number.isInteger(value) || value < 1) return 1;
  return Math.min(value, MAX_LINE);
}
