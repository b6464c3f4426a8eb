/**
 * `init`: write a commented starter `stemedb.yaml` (placeholders for the two required values)
 * and the config's JSON Schema beside it, which the starter's first line points editors at.
 */
import { dirname, join, relative } from 'node:path';
import { configJsonSchema } from '../config/json-schema.js';
import { STARTER_CONFIG_FILE, STARTER_SCHEMA_FILE, starterConfig } from '../config/starter.js';
import type { Io } from './io.js';
import { writeTextFile } from './text-file.js';

export interface InitFlags {
  out?: string;
  schema?: boolean;
  force?: boolean;
}

export async function runInit(flags: InitFlags, io: Io): Promise<void> {
  const configPath = flags.out ?? STARTER_CONFIG_FILE;
  const withSchema = flags.schema !== false;
  const schemaPath = join(dirname(configPath), STARTER_SCHEMA_FILE);
  const overwrite = flags.force === true;
  // The config first: when it exists (and --force is absent) nothing at all is written.
  await writeTextFile(
    configPath,
    starterConfig({ schema: withSchema ? `./${STARTER_SCHEMA_FILE}` : null }),
    { overwrite },
  );
  if (withSchema) {
    await writeTextFile(schemaPath, `${JSON.stringify(configJsonSchema(), null, 2)}\n`, {
      overwrite: true,
    });
  }
  const shown = relative(process.cwd(), configPath) || configPath;
  io.stderr.write(
    `wrote ${shown}${withSchema ? ` and ${relative(process.cwd(), schemaPath) || schemaPath}` : ''}\n` +
      `next: set image.tag and ingress.host in ${shown}, then run\n` +
      `  stemedb-manifests validate --config ${shown}\n`,
  );
}
