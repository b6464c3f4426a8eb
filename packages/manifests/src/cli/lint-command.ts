/**
 * `lint`: validates manifests that already exist (hand-written YAML such as the roadmap's, or
 * a rendered directory) with the rules `render` runs on its own output. Paths are files (YAML
 * multi-document streams, JSON, `v1 List`s), directories (their `*.yaml`, `*.yml` and `*.json`
 * files, not recursively, as `kubectl apply -f`), or kustomize directories (with
 * kustomization.yaml, whose file list is checked too). `-` reads stdin.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Finding, KubeObject } from '../types.js';
import type { KustomizationLayout, ValidateOptions } from '../validate/context.js';
import { validate } from '../validate/index.js';
import { FailedError, type Io, UsageError } from './io.js';
import { listRules, printReport, reportOf } from './report.js';

export interface LintFlags {
  json?: boolean;
  listRules?: boolean;
  existingSecret?: string[];
  /** Claims the cluster has that the manifests mount without emitting (a taken-over claim). */
  existingClaim?: string[];
  ingressNamespace?: string;
  prometheusNamespace?: string;
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MANIFEST = /\.(ya?ml|json)$/i;

/** What the paths hold: objects, kustomizations, and problems found while reading them. */
interface Loaded {
  objects: KubeObject[];
  layouts: KustomizationLayout[];
  findings: Finding[];
}

function readProblem(file: string, ruleId: string, message: string, fix: string): Finding {
  return { severity: 'error', ruleId, object: file, path: '', message, fix };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The documents of one YAML or JSON text; a `v1 List` counts as its items. */
function parseText(file: string, text: string, into: Loaded): unknown[] {
  const values: unknown[] = [];
  for (const [index, doc] of parseAllDocuments(text, { version: '1.1' }).entries()) {
    const error = doc.errors[0];
    if (error) {
      // yaml's message says where ("… at line 2, column 1:") and then quotes the source.
      into.findings.push(
        readProblem(
          file,
          'lint/yaml-syntax',
          error.message.split('\n')[0]!.replace(/:$/, ''),
          'fix the YAML syntax; this document was not checked',
        ),
      );
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isRecord(value)) {
      into.findings.push(
        readProblem(
          file,
          'lint/not-an-object',
          `document ${index + 1} is not a Kubernetes object`,
          'each document must be a mapping with apiVersion, kind and metadata',
        ),
      );
      continue;
    }
    if (value.kind === 'List' && Array.isArray(value.items)) values.push(...value.items);
    else values.push(value);
  }
  return values;
}

/** Adds a file's objects; a Kustomization met outside a kustomize directory is skipped. */
function addObjects(file: string, text: string, into: Loaded): void {
  for (const value of parseText(file, text, into)) {
    if (isRecord(value) && value.kind === 'Kustomization') continue;
    into.objects.push(value as KubeObject);
  }
}

async function loadFile(file: string, into: Loaded): Promise<void> {
  addObjects(file, await readFile(file, 'utf8'), into);
}

async function loadDir(dir: string, into: Loaded, seen: Set<string>): Promise<void> {
  if (seen.has(dir)) return;
  seen.add(dir);
  const entries = await readdir(dir, { withFileTypes: true });
  const kustomization = KUSTOMIZATION_NAMES.find((n) => entries.some((e) => e.name === n));
  const files = entries
    .filter((e) => e.isFile() && MANIFEST.test(e.name) && !KUSTOMIZATION_NAMES.includes(e.name))
    .map((e) => e.name)
    .sort();
  if (!kustomization && files.length === 0) {
    throw new UsageError(`${dir}: no .yaml, .yml or .json files to lint`);
  }
  for (const file of files) await loadFile(join(dir, file), into);
  if (!kustomization) return;

  const path = join(dir, kustomization);
  const docs = parseText(path, await readFile(path, 'utf8'), into);
  const spec = docs.find(isRecord) ?? {};
  const resources = Array.isArray(spec.resources)
    ? spec.resources.filter((r): r is string => typeof r === 'string')
    : [];
  into.layouts.push({ path, resources, files });
  // A resource that is a directory is a base of its own: lint it as one.
  for (const resource of resources) {
    const target = join(dir, resource);
    const info = await stat(target).catch(() => undefined);
    if (info?.isDirectory()) await loadDir(target, into, seen);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function loadPath(path: string, into: Loaded, seen: Set<string>): Promise<void> {
  if (path === '-') {
    addObjects('(stdin)', await readStdin(), into);
    return;
  }
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      `${path}: ${error.code === 'ENOENT' ? 'no such file or directory' : error.message}`,
    );
  });
  // kustomization.yaml named on its own stands for its directory.
  if (info.isDirectory()) await loadDir(path, into, seen);
  else if (KUSTOMIZATION_NAMES.includes(basename(path))) await loadDir(dirname(path), into, seen);
  else await loadFile(path, into);
}

export async function runLint(paths: string[], flags: LintFlags, io: Io): Promise<void> {
  if (flags.listRules) return listRules(io, flags.json === true);
  if (paths.length === 0) throw new UsageError('lint needs at least one file or directory');
  const loaded: Loaded = { objects: [], layouts: [], findings: [] };
  const seen = new Set<string>();
  for (const path of paths) await loadPath(path, loaded, seen);

  const options: ValidateOptions = {
    existingSecrets: flags.existingSecret ?? [],
    existingClaims: flags.existingClaim ?? [],
    trafficSources: {
      ...(flags.ingressNamespace ? { ingress: flags.ingressNamespace } : {}),
      ...(flags.prometheusNamespace ? { prometheus: flags.prometheusNamespace } : {}),
    },
  };
  const findings = [...loaded.findings, ...validate(loaded.objects, options).findings];
  // Each kustomization's file list on its own, so that several directories can be linted.
  for (const layout of loaded.layouts) {
    findings.push(...validate([], { kustomization: layout }).findings);
  }
  const report = reportOf(findings);
  printReport(io, io.stdout, report, flags.json === true);
  if (!report.ok) {
    throw new FailedError(
      `${report.errors} error${report.errors === 1 ? '' : 's'} in ${loaded.objects.length} objects`,
    );
  }
}
