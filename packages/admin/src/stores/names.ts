/** The secret holding the root key (roadmap, pre-deploy checklist). */
export const ROOT_KEY_SECRET = 'stemedb-root-api-key';

/** Every project key's secret starts with this (roadmap, Phase 3: `stemedb-key-<project>`). */
export const PROJECT_KEY_SECRET_PREFIX = 'stemedb-key-';

/** The secret holding `project`'s key. */
export function projectKeySecret(project: string): string {
  return `${PROJECT_KEY_SECRET_PREFIX}${project}`;
}

/** The label of `project`'s key on the server (roadmap, Phase 3: `project-<name>`). */
export function projectKeyLabel(project: string): string {
  return `project-${project}`;
}
