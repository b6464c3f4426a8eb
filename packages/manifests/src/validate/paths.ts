/**
 * Field paths as findings print them: `spec.template.spec.containers[0].image`, with keys that
 * are not plain identifiers quoted (`metadata.annotations["cert-manager.io/cluster-issuer"]`).
 */

/** One step of a path: a key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** Formats path segments as a JSON path. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `base` followed by more segments, formatted. */
export function joinPath(base: string, ...more: readonly PathSegment[]): string {
  const tail = formatPath(more);
  if (base === '') return tail;
  if (tail === '') return base;
  return tail.startsWith('[') ? `${base}${tail}` : `${base}.${tail}`;
}

/** Splits an RFC 6901 JSON pointer (`/spec/containers/0`) into segments, indices as numbers. */
export function pointerSegments(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      segments.push(Number(key));
      node = node[Number(key)];
    } else {
      segments.push(key);
      node =
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined;
    }
  }
  return segments;
}

/** The path with every array index replaced by `[*]`, for matching against patterns. */
export function genericPath(segments: readonly PathSegment[]): string {
  return formatPath(segments.map((s) => (typeof s === 'number' ? -1 : s))).replace(
    /\[-1\]/g,
    '[*]',
  );
}
