/** The Secret Manager secret holding the root key (roadmap, pre-deploy checklist). */
export const ROOT_KEY_SECRET = 'stemedb-root-api-key';
