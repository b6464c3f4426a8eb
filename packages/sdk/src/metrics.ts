/**
 * A parser for the Prometheus text exposition format (version 0.0.4), which `GET /metrics`
 * answers with (yaml: getMetrics).
 *
 * Why not `parse-prometheus-text-format`: it returns prom2json-style families (histograms
 * folded into bucket maps, values as strings) rather than samples, and it silently returns
 * `[]` for input that is not Prometheus text at all (an HTML error page, say), which would hide
 * a broken proxy. This one returns flat samples and rejects a malformed line, naming it.
 */

/** A metric family's type, from its `# TYPE` line (`untyped` when there is none). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One sample: `stemedb_http_requests_total{status="200"} 3` is one. */
export interface MetricSample {
  /** The sample's own name, suffix included: `…_bucket`, `…_sum`, `…_count`. */
  name: string;
  labels: Record<string, string>;
  /** The value; `NaN`, `Infinity` and `-Infinity` are possible. */
  value: number;
  /** Milliseconds since the epoch, when the line has a timestamp. */
  timestamp?: number;
  /** The type of the family the sample belongs to. */
  type: MetricType;
}

/** A line that is not Prometheus text; `line` counts from 1. */
export class PrometheusParseError extends Error {
  override name = 'PrometheusParseError';
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/**
 * Parses Prometheus text into samples, in the order they appear.
 *
 * @throws PrometheusParseError on the first malformed line
 */
export function parsePrometheusText(text: string): MetricSample[] {
  const types = new Map<string, MetricType>();
  const samples: MetricSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = /^#\s*TYPE\s+(\S+)\s+(\S+)\s*$/.exec(line);
      if (type) {
        const kind = type[2] as MetricType;
        if (!TYPES.has(kind)) throw new PrometheusParseError(i + 1, `unknown type "${type[2]}"`);
        types.set(type[1] as string, kind);
      }
      continue;
    }
    samples.push(parseSample(line, i + 1, types));
  }
  return samples;
}

function parseSample(line: string, lineNo: number, types: Map<string, MetricType>): MetricSample {
  const fail = (problem: string): never => {
    throw new PrometheusParseError(lineNo, problem);
  };
  const name = NAME.exec(line)?.[0] ?? fail('expected a metric name');
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      const label = LABEL_NAME.exec(rest)?.[0] ?? fail('expected a label name');
      rest = rest.slice(label.length).trimStart();
      if (!rest.startsWith('="') && !rest.startsWith('= "')) fail(`expected ="…" after ${label}`);
      rest = rest.slice(rest.indexOf('"') + 1);
      const [value, after] = readQuoted(rest) ?? fail(`unterminated value of label ${label}`);
      labels[label] = value;
      rest = after.trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}')) fail('expected , or } after a label');
    }
    rest = rest.slice(1);
  }
  if (!/^[ \t]/.test(rest)) fail('expected a space before the value');
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length > 2) fail('unexpected text after the timestamp');
  const value = parseValue(fields[0] ?? '') ?? fail(`"${fields[0]}" is not a number`);
  const sample: MetricSample = { name, labels, value, type: familyType(name, types) };
  if (fields[1] !== undefined) {
    if (!/^-?\d+$/.test(fields[1])) fail(`"${fields[1]}" is not a timestamp`);
    sample.timestamp = Number(fields[1]);
  }
  return sample;
}

// Reads a label value up to its closing quote, undoing \\, \" and \n.
function readQuoted(text: string): [string, string] | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return [out, text.slice(i + 1)];
    if (ch === '\\') {
      const next = text[++i];
      out += next === 'n' ? '\n' : (next ?? '');
    } else {
      out += ch;
    }
  }
  return undefined;
}

function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function familyType(name: string, types: Map<string, MetricType>): MetricType {
  const own = types.get(name);
  if (own !== undefined) return own;
  for (const [family, type] of types) {
    if (SUFFIXES[type]?.some((suffix) => name === family + suffix)) return type;
  }
  return 'untyped';
}
