/**
 * Objects as text and back: a multi-document YAML stream, or a JSON `v1 List`. Both are pure
 * and deterministic: the same objects give the same bytes. Writing that text somewhere is
 * write.ts; the CLI command that builds, validates and writes is cli/render-command.ts.
 */
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../types.js';
import { YAML_OPTIONS } from './yaml-options.js';
import { writeYamlDocument } from './yaml-writer.js';

/**
 * One object as a YAML document, ending in a newline: yaml's `stringify` with `YAML_OPTIONS`
 * (yaml-options.ts), written directly by yaml-writer.ts (the same bytes, faster cold), or by
 * `stringify` for an object the direct writer does not cover.
 */
export function renderYamlDocument(obj: unknown): string {
  return writeYamlDocument(obj) ?? stringify(obj, YAML_OPTIONS);
}

/** The objects as one multi-document YAML stream, `---` between documents. */
export function renderYaml(objects: readonly KubeObject[]): string {
  return objects.map(renderYamlDocument).join('---\n');
}

/**
 * The objects as a JSON `v1 List`, which `kubectl apply -f` accepts like the YAML stream
 * (a bare array it would not). Two-space indent, trailing newline.
 */
export function renderJson(objects: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}

/**
 * Reads a YAML stream back into objects (the inverse of {@link renderYaml}); empty documents
 * are skipped. Throws on the first document with a syntax error.
 */
export function parseYamlStream(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw doc.errors[0];
    const value = doc.toJS() as KubeObject | null;
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}
