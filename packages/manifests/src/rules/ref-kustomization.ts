/**
 * The kustomization lists every manifest file written beside it, and only those. A file it
 * does not list is never applied by `kubectl apply -k` (the roadmap's kustomization omits all
 * of Phase 2: the backup, the alerts, the NetworkPolicy and the PDB); a file it lists that is
 * not there makes kustomize fail.
 */
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

const base = (file: string) => file.replace(/^\.\//, '');

export const refKustomizationFiles: Rule = {
  id: 'ref/kustomization-files',
  severity: 'error',
  description:
    'kustomization.yaml lists every manifest file written beside it, and no file that is not there.',
  *check(context) {
    const layout = context.options.kustomization;
    if (!layout) return;
    const object = `Kustomization/${layout.path ?? 'kustomization.yaml'}`;
    const resources = layout.resources.map(base);
    const files = new Set(layout.files.map(base));
    for (const file of files) {
      if (resources.includes(file)) continue;
      yield {
        object,
        path: 'resources',
        message: `file ${file} is written but not listed: kubectl apply -k never applies it`,
        fix: `add "${file}" to resources`,
      };
    }
    for (const [i, resource] of resources.entries()) {
      if (files.has(resource) || resource.endsWith('/') || !/\.ya?ml$/.test(resource)) continue;
      yield {
        object,
        path: joinPath('resources', i),
        message: `lists ${resource}, which is not written: kustomize fails`,
        fix: `remove "${resource}" from resources, or write the file`,
      };
    }
  },
};
