/**
 * The file store's on-disk format: one JSON document holding every secret with all its
 * versions. It is written only by this package; anything else is refused as `corrupt_store`
 * rather than guessed at (a guess could drop a live key).
 */
import { z } from 'zod';
import { SecretStoreError } from './errors.js';
import { isSecretName } from './secret-name.js';

/** The `format` field of every file this package writes. */
export const FILE_STORE_FORMAT = 'stemedb-admin-secrets/1';

const VersionSchema = z.strictObject({
  version: z.number().int().positive(),
  value: z.string().min(1),
  createdAt: z.string(),
});

const DocumentSchema = z.strictObject({
  format: z.literal(FILE_STORE_FORMAT),
  secrets: z.record(
    z.string().refine(isSecretName),
    z.strictObject({ versions: z.array(VersionSchema).min(1) }),
  ),
});

/** The parsed document. */
export type FileStoreDocument = z.output<typeof DocumentSchema>;
/** One stored version. */
export type FileStoreVersion = z.output<typeof VersionSchema>;

/** An empty store. */
export function emptyDocument(): FileStoreDocument {
  return { format: FILE_STORE_FORMAT, secrets: {} };
}

/** Parses the file's text; never puts any of it in the error (it holds secrets). */
export function parseDocument(text: string, path: string): FileStoreDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw corrupt(path, 'is not valid JSON');
  }
  const result = DocumentSchema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues[0]?.path.slice(0, 2).map(String).join('.') ?? '';
    throw corrupt(
      path,
      `is not a ${FILE_STORE_FORMAT} document${where === '' ? '' : ` (at ${where})`}`,
    );
  }
  for (const [name, secret] of Object.entries(result.data.secrets)) {
    for (let i = 1; i < secret.versions.length; i++) {
      if ((secret.versions[i]?.version ?? 0) <= (secret.versions[i - 1]?.version ?? 0)) {
        throw corrupt(path, `has versions of ${name} out of order`);
      }
    }
  }
  return result.data;
}

/** The file's text: stable key order, so that diffs of a store under version control are small. */
export function serialiseDocument(doc: FileStoreDocument): string {
  const secrets: FileStoreDocument['secrets'] = {};
  for (const name of Object.keys(doc.secrets).sort()) {
    const secret = doc.secrets[name];
    if (secret !== undefined) secrets[name] = secret;
  }
  return `${JSON.stringify({ format: doc.format, secrets }, null, 2)}\n`;
}

function corrupt(path: string, problem: string): SecretStoreError {
  return new SecretStoreError({
    code: 'corrupt_store',
    store: 'file',
    message: `The secret store file ${path} ${problem}; it was not written by stemedb-admin, or was edited by hand`,
  });
}
