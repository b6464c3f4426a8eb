/**
 * `schema`: print (or write) the JSON Schema of the config, for editors and CI
 * (`# yaml-language-server: $schema=…`).
 */
import { configJsonSchema } from '../config/json-schema.js';
import type { Io } from './io.js';
import { writeTextFile } from './text-file.js';

export interface SchemaFlags {
  out?: string;
}

export async function runSchema(flags: SchemaFlags, io: Io): Promise<void> {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (flags.out === undefined || flags.out === '-') {
    io.stdout.write(text);
    return;
  }
  await writeTextFile(flags.out, text, { overwrite: true });
  io.stderr.write(`wrote ${flags.out}\n`);
}
