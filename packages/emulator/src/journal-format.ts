import { crc32 } from 'node:zlib';
import {
  JournalCorruptError,
  type JournalRecord,
  journalRecordSchema,
  parseDataFile,
  parseDataJson,
} from './data-schemas.js';

/**
 * The journal's framing: one record per line, `<length> <crc32> <json>\n`, where length is the
 * JSON's byte length and crc32 its checksum in 8 hex digits. JSON.stringify never writes a raw
 * newline, so a line is a record; the length and checksum catch a record cut short or garbled
 * by a crash mid-append (the OpenTelemetry Collector's file storage and Vector's disk buffers
 * frame their records the same way).
 */

/** Encodes one record as a journal line. */
export function encodeRecord(record: JournalRecord): Buffer {
  const json = Buffer.from(JSON.stringify(record), 'utf8');
  const crc = crc32(json).toString(16).padStart(8, '0');
  return Buffer.concat([Buffer.from(`${json.length} ${crc} `, 'ascii'), json, NEWLINE]);
}

const NEWLINE = Buffer.from('\n', 'ascii');
const HEADER = /^(\d{1,10}) ([0-9a-f]{8}) $/;

/** What {@link decodeJournal} found in one file. */
export interface DecodedJournal {
  records: JournalRecord[];
  /** Bytes of whole, valid records from the start; the rest (if any) is a torn tail. */
  validBytes: number;
  /** Why the bytes after `validBytes` were dropped, when some were. */
  torn?: string;
}

/**
 * Decodes a journal file. The first frame that is incomplete or fails its length or checksum
 * ends the valid part when nothing whole follows it: appends are fsynced in order, so a crash
 * only ever tears the last append, which was never acknowledged. When whole records do follow,
 * the file was damaged in its middle, and dropping them would lose acknowledged writes: that
 * throws a {@link JournalCorruptError}. A frame whose checksum holds
 * but whose content is not a valid record was written that way (by hand, or by another
 * program), so that throws, naming the file, the byte offset and the field.
 */
export function decodeJournal(buffer: Buffer, path: string): DecodedJournal {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const end = buffer.indexOf(0x0a, offset);
    if (end === -1) return { records, validBytes: offset, torn: 'an incomplete last record' };
    const frame = checkFrame(buffer.subarray(offset, end));
    if (typeof frame === 'string') {
      // Torn only if nothing whole follows; otherwise the damage is in the middle.
      const next = nextWholeRecord(buffer, end + 1);
      if (next !== undefined) throw new JournalCorruptError(path, offset, next);
      return { records, validBytes: offset, torn: frame };
    }
    const where = ` (record at byte ${offset})`;
    const value = parseDataJson(frame.toString('utf8'), path, where);
    records.push(parseDataFile(journalRecordSchema, value, path, where));
    offset = end + 1;
  }
  return { records, validBytes: offset };
}

// A line's JSON when its length and checksum hold, else why not.
function checkFrame(line: Buffer): Buffer | string {
  const firstSpace = line.indexOf(0x20);
  const secondSpace = firstSpace === -1 ? -1 : line.indexOf(0x20, firstSpace + 1);
  const header = secondSpace === -1 ? '' : line.subarray(0, secondSpace + 1).toString('ascii');
  const match = HEADER.exec(header);
  const json = line.subarray(secondSpace + 1);
  if (!match || Number(match[1]) !== json.length) return 'a record with a bad length';
  if (crc32(json).toString(16).padStart(8, '0') !== match[2]) return 'a record with a bad checksum';
  return json;
}

// The offset of the first whole, valid frame at or after `from`, if any. A frame's checksum
// holding by chance in garbage is a 1 in 2^32 event per line, on top of a matching length.
function nextWholeRecord(buffer: Buffer, from: number): number | undefined {
  let offset = from;
  while (offset < buffer.length) {
    const end = buffer.indexOf(0x0a, offset);
    if (end === -1) return undefined;
    if (typeof checkFrame(buffer.subarray(offset, end)) !== 'string') return offset;
    offset = end + 1;
  }
  return undefined;
}
