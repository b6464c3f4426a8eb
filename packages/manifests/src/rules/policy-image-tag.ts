/**
 * Images are pinned. `:latest` (or no tag, which means latest) makes a rollout unreproducible:
 * a restart after a push runs new code nobody deployed, and with `IfNotPresent` two nodes may
 * run different "latest" images.
 */

import type { RuleContext } from '../validate/context.js';
import { joinPath } from '../validate/paths.js';
import type { Issue, Rule } from '../validate/rule.js';
import type { ContainerRef, Workload } from '../validate/workloads.js';

/** The tag and digest of an image reference; the tag is looked for after the last `/`. */
export function imageParts(image: string): { name: string; tag?: string; digest?: string } {
  const [name = '', digest] = image.split('@', 2);
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  return {
    name: colon === -1 ? name : name.slice(0, colon),
    ...(colon === -1 ? {} : { tag: name.slice(colon + 1) }),
    ...(digest ? { digest } : {}),
  };
}

function* images(
  context: RuleContext,
  test: (parts: ReturnType<typeof imageParts>) => boolean,
  issue: (w: Workload, c: ContainerRef, image: string) => Issue,
): Iterable<Issue> {
  for (const w of context.workloads) {
    for (const c of w.containers) {
      const image = c.container.image;
      if (typeof image !== 'string' || image === '') continue;
      if (test(imageParts(image))) yield issue(w, c, image);
    }
  }
}

export const policyImageLatest: Rule = {
  id: 'policy/image-latest',
  severity: 'error',
  description: 'No container image uses the moving tag :latest.',
  check: (context) =>
    images(
      context,
      (p) => p.tag?.toLowerCase() === 'latest' && !p.digest,
      (w, c, image) => ({
        object: w.object,
        path: joinPath(c.path, 'image'),
        message: `container "${c.name}" uses ${image}: "latest" moves, so what runs is whatever was pushed last`,
        fix: `pin a version tag or a digest, e.g. ${imageParts(image).name}:1.2.3 or ${imageParts(image).name}@sha256:…`,
      }),
    ),
};

export const policyImageUntagged: Rule = {
  id: 'policy/image-untagged',
  severity: 'error',
  description: 'Every container image has a tag or a digest (no tag means :latest).',
  check: (context) =>
    images(
      context,
      (p) => p.tag === undefined && p.digest === undefined,
      (w, c, image) => ({
        object: w.object,
        path: joinPath(c.path, 'image'),
        message: `container "${c.name}" uses ${image} without a tag or digest, which means :latest`,
        fix: `pin a version tag or a digest, e.g. ${image}:1.2.3 or ${image}@sha256:…`,
      }),
    ),
};
