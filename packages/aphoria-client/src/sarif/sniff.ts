/**
 * Telling a SARIF log from a native scan by its content, from the start of the file: the CLI
 * must not read a 100,000-result log whole only to learn what it is.
 */
import { createReadStream } from 'node:fs';
import { Tokenizer, TokenType } from '@streamparser/json';

/** What a file's first top-level fields say it is; `unreadable` when it is not a JSON object. */
export type SniffedFormat = 'sarif' | 'aphoria' | 'unreadable';

// Reading stops at the first field that decides; the fields before it are usually short.
const CHUNK_BYTES = 16 * 1024;

/**
 * Decides from the root object's fields as the tokens arrive, with the rule of `looksLikeSarif`:
 * a `runs` array, a `$schema` naming SARIF or `version` "2.1.0" make it SARIF. A `schema` field
 * (which a native scan starts with, and which SARIF does not have) makes it a native scan at
 * once; so does reaching the root's end with none of those.
 */
export async function sniffScanFormat(path: string): Promise<SniffedFormat> {
  let decided: SniffedFormat | undefined;
  let depth = 0;
  let key: string | undefined;
  // 'key': the next token at depth 1 names a field; 'colon', then 'value': that field's value.
  let expect: 'key' | 'colon' | 'value' | 'other' = 'other';
  const tokenizer = new Tokenizer();
  tokenizer.onToken = ({ token, value }) => {
    if (decided !== undefined) return;
    if (depth === 0 && token !== TokenType.LEFT_BRACE) {
      decided = 'unreadable';
      return;
    }
    if (depth === 1 && expect === 'key' && token === TokenType.STRING) {
      key = value as string;
      expect = 'colon';
      return;
    }
    if (depth === 1 && expect === 'colon') {
      expect = 'value';
      return;
    }
    if (depth === 1 && expect === 'value') {
      expect = 'other';
      decided = decide(key, token, value);
    }
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      depth += 1;
      if (depth === 1) expect = 'key';
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      depth -= 1;
      if (depth === 0) decided ??= 'aphoria';
    } else if (token === TokenType.COMMA && depth === 1) {
      expect = 'key';
    }
  };
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      tokenizer.write(chunk as Buffer);
      if (decided !== undefined) break;
    }
  } catch {
    return 'unreadable'; // the reader that follows names what is wrong (and where)
  } finally {
    stream.destroy();
  }
  return decided ?? 'unreadable';
}

function decide(
  key: string | undefined,
  token: TokenType,
  value: unknown,
): SniffedFormat | undefined {
  if (key === 'runs' && token === TokenType.LEFT_BRACKET) return 'sarif';
  if (key === 'version' && value === '2.1.0') return 'sarif';
  if (key === '$schema' && typeof value === 'string' && /sarif/i.test(value)) return 'sarif';
  if (key === 'schema') return 'aphoria';
  return undefined;
}
