/**
 * A native scan file (`aphoria.scan/v1`) read as a stream, never whole: `persistScanFile`'s
 * source (issue 21: persist under 200 MB at 100,000 findings). A first pass validates every
 * finding as {@link parseScan} does (the same errors, naming the same paths), hashes the scan
 * id and counts; each later pass ({@link ScanFile.assertions}) reads the findings again and
 * maps them one at a time, so that at no time is more than a chunk's worth of the scan in
 * memory. The file stays open between passes, and each element is checked against the first
 * pass's CRC-32 of its bytes: a file changed meanwhile is an error, never a journal that holds
 * another scan than its id says.
 *
 * A document the splitter does not handle (scan-file/split.ts: a key twice, a BOM, no
 * `findings` array, not JSON at all) gives `undefined`: the caller reads the file whole, which
 * names the mistake as it always did.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { z } from 'zod';
import { ScanValidationError } from '../errors.js';
import { AssertionMapper, type ScanHead } from '../mapping.js';
import {
  crossFieldIssues,
  duplicateIssue,
  type Finding,
  FindingSchema,
  invalidScan,
  ScanHeaderSchema,
} from '../scan.js';
import { ScanIdBuilder } from '../scan-id.js';
import { ROOT_PATH } from '../scan-issues.js';
import { type AssertionRecord, recordOf } from '../spool/record.js';
import { fingerprintSegment } from '../subjects.js';
import type { MappedAssertion } from '../types.js';
import { ScanShapeError, ScanSplitter, type SplitSink } from './split.js';

/** Bytes read at a time. */
const CHUNK_BYTES = 256 * 1024;
/** Issues kept of the findings (the error lists at most `MAX_KEPT_ISSUES` in all). */
const MAX_ISSUES = 1000;
/** The members a scan has besides `findings`; any other sends the caller to the whole read. */
const HEAD_KEYS: ReadonlySet<string> = new Set([
  'schema',
  'project',
  'commit',
  'branch',
  'scanner',
  'started_at',
  'finished_at',
]);
/** The members whose keys sort before `findings` (the scan id's canonical JSON). */
const BEFORE_FINDINGS = ['branch', 'commit'] as const;

/** A validated scan file, open for reading its assertions. */
export interface ScanFile {
  readonly path: string;
  readonly head: ScanHead;
  readonly findings: number;
  readonly scanId: string;
  /** One more pass over the file: its assertions, as `scanToAssertions` maps the scan. */
  assertions(): AsyncGenerator<MappedAssertion, void, undefined>;
  /** {@link assertions} as journal records: one async generator less for every record. */
  records(): AsyncGenerator<AssertionRecord, void, undefined>;
  close(): Promise<void>;
}

/**
 * Opens and validates the scan file at `path`, reading it once.
 *
 * @returns `undefined` when the file cannot be opened or is not a document this reader
 *   handles: read it whole ({@link readScanFile}), which names what is wrong
 * @throws ScanValidationError naming every JSON path at fault, as {@link parseScan}
 */
export async function openScanFile(path: string): Promise<ScanFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined; // readScanFile says why
  }
  try {
    const first = await firstPass(handle, path);
    if (first === undefined) {
      await handle.close();
      return undefined;
    }
    return new OpenScanFile(handle, path, first);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

interface FirstPass {
  head: ScanHead;
  /** CRC-32 of each finding's bytes, in order. */
  crcs: Uint32Array;
  findings: number;
  /** CRC-32 of each other member's bytes. */
  fieldCrcs: Map<string, number>;
  scanId: string;
}

/** Reads `handle` from its start, chunk by chunk, into `splitter`. */
async function readAll(handle: FileHandle, splitter: ScanSplitter, each?: () => void) {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    splitter.push(buffer.subarray(0, bytesRead));
    each?.();
  }
  splitter.end();
}

function parsePiece(piece: Buffer): unknown {
  try {
    return JSON.parse(piece.toString('utf8'));
  } catch {
    throw new ScanShapeError('a piece is not JSON');
  }
}

async function firstPass(handle: FileHandle, path: string): Promise<FirstPass | undefined> {
  const head: Record<string, unknown> = {};
  const fieldCrcs = new Map<string, number>();
  let crcs = new Uint32Array(1024);
  let count = 0;
  let sawFindings = false;
  const findingIssues: z.core.$ZodIssue[] = [];
  const duplicates: z.core.$ZodRawIssue[] = [];
  const firstOf = new Map<string, number>();
  let hash: ScanIdBuilder | undefined;
  const sink: SplitSink = {
    field(key, value) {
      if (!HEAD_KEYS.has(key)) throw new ScanShapeError(`an unknown member ${key}`);
      fieldCrcs.set(key, crc32(value));
      head[key] = parsePiece(value);
    },
    findingsStart() {
      sawFindings = true;
      // The id's canonical JSON puts branch and commit before the findings: hashed as they
      // come when the file gives them first (Aphoria's order), else in a pass of its own.
      if (BEFORE_FINDINGS.every((k) => k in head)) {
        hash = new ScanIdBuilder({ branch: head.branch, commit: head.commit });
      }
    },
    finding(value) {
      if (count === crcs.length) {
        const grown = new Uint32Array(crcs.length * 2);
        grown.set(crcs);
        crcs = grown;
      }
      crcs[count] = crc32(value);
      const finding = parsePiece(value);
      const index = count;
      count += 1;
      hash?.add(finding);
      const result = FindingSchema.safeParse(finding);
      if (!result.success && findingIssues.length < MAX_ISSUES) {
        for (const issue of result.error.issues) {
          findingIssues.push({ ...issue, path: ['findings', index, ...issue.path] });
        }
      }
      const fingerprint = (finding as { fingerprint?: unknown } | null)?.fingerprint;
      if (typeof fingerprint !== 'string') return;
      const segment = fingerprintSegment(fingerprint);
      const earlier = firstOf.get(segment);
      if (earlier === undefined) firstOf.set(segment, index);
      else if (duplicates.length < MAX_ISSUES) {
        duplicates.push(duplicateIssue(fingerprint, index, earlier));
      }
    },
  };
  try {
    await readAll(handle, new ScanSplitter(sink));
  } catch (error) {
    if (error instanceof ScanShapeError) return undefined;
    throw error;
  }
  if (!sawFindings) return undefined; // parseScan names the missing member
  firstOf.clear();
  // The issues in parseScan's order: the members, the findings, then across fields.
  const issues: z.core.$ZodIssue[] = [];
  const checked = ScanHeaderSchema.safeParse({ ...head, findings: [] });
  if (!checked.success) issues.push(...checked.error.issues);
  issues.push(...findingIssues);
  const across = [
    ...crossFieldIssues({ started_at: head.started_at, finished_at: head.finished_at }),
    ...duplicates,
  ];
  issues.push(...(across as z.core.$ZodIssue[]));
  if (issues.length > 0) throw invalidScan(issues, path);
  const scanHead = head as ScanHead;
  const after = { ...head };
  for (const key of BEFORE_FINDINGS) delete after[key];
  const scanId = (hash ?? (await hashAgain(handle, scanHead))).finish(after);
  return { head: scanHead, crcs: crcs.subarray(0, count), findings: count, fieldCrcs, scanId };
}

// The findings hashed in a pass of their own (the file gave them before branch or commit).
async function hashAgain(handle: FileHandle, head: ScanHead): Promise<ScanIdBuilder> {
  const hash = new ScanIdBuilder({ branch: head.branch, commit: head.commit });
  await readAll(
    handle,
    new ScanSplitter({ field() {}, finding: (value) => hash.add(parsePiece(value)) }),
  );
  return hash;
}

class OpenScanFile implements ScanFile {
  readonly path: string;
  readonly head: ScanHead;
  readonly findings: number;
  readonly scanId: string;
  readonly #handle: FileHandle;
  readonly #crcs: Uint32Array;
  readonly #fieldCrcs: Map<string, number>;

  constructor(handle: FileHandle, path: string, first: FirstPass) {
    this.#handle = handle;
    this.path = path;
    this.head = first.head;
    this.findings = first.findings;
    this.scanId = first.scanId;
    this.#crcs = first.crcs;
    this.#fieldCrcs = first.fieldCrcs;
  }

  assertions(): AsyncGenerator<MappedAssertion, void, undefined> {
    return this.#pass((a) => a);
  }

  records(): AsyncGenerator<AssertionRecord, void, undefined> {
    return this.#pass(recordOf);
  }

  async *#pass<T>(convert: (a: MappedAssertion) => T): AsyncGenerator<T, void, undefined> {
    const mapper = new AssertionMapper(this.head, this.scanId);
    // The chunk's findings as views of its bytes, each parsed and mapped only when it is
    // pulled: mapped a chunk at a time, a thousand records waited a fifth of a second for the
    // send window, outlived the young generation and were promoted, growing the old one by
    // tens of MB over a 100,000-finding run (bench/README.md, run 12).
    const pieces: Buffer[] = [];
    let index = 0;
    const changed = () => this.#changed();
    const splitter = new ScanSplitter({
      field: (key, value) => {
        if (this.#fieldCrcs.get(key) !== crc32(value)) throw changed();
      },
      finding: (value) => {
        pieces.push(value);
      },
    });
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = 0;
    for (;;) {
      const { bytesRead } = await this.#handle.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      try {
        splitter.push(buffer.subarray(0, bytesRead));
      } catch (error) {
        throw error instanceof ScanShapeError ? changed() : error;
      }
      // Every view is consumed before the next read overwrites the buffer.
      for (let p = 0; p < pieces.length; p++) {
        const value = pieces[p]!;
        if (index >= this.findings || this.#crcs[index] !== crc32(value)) throw changed();
        const finding = JSON.parse(value.toString('utf8')) as Finding;
        yield convert(mapper.finding(finding, index));
        index += 1;
      }
      pieces.length = 0;
    }
    try {
      splitter.end();
    } catch {
      throw changed();
    }
    if (index !== this.findings) throw changed();
    yield convert(mapper.summary(this.findings));
  }

  #changed(): ScanValidationError {
    return new ScanValidationError(
      `the scan file ${this.path} changed while it was being persisted; persist it again once it is written`,
      [{ path: ROOT_PATH, message: 'changed while it was being read' }],
    );
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
