import { describe, expect, it } from 'vitest';
import { PrometheusParseError, parsePrometheusText } from '../src/index.js';

describe('parsePrometheusText', () => {
  it('parses counters and histograms into flat samples, in order', () => {
    const text = [
      '# HELP stemedb_http_requests_total Requests answered.',
      '# TYPE stemedb_http_requests_total counter',
      'stemedb_http_requests_total{method="POST",status="201"} 3',
      'stemedb_http_requests_total{status="401"} 1 1767225600000',
      '',
      '# TYPE stemedb_wal_fsync_latency_seconds histogram',
      'stemedb_wal_fsync_latency_seconds_bucket{le="0.005"} 1',
      'stemedb_wal_fsync_latency_seconds_bucket{le="+Inf"} 2',
      'stemedb_wal_fsync_latency_seconds_sum 0.0125',
      'stemedb_wal_fsync_latency_seconds_count 2',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      {
        name: 'stemedb_http_requests_total',
        labels: { method: 'POST', status: '201' },
        value: 3,
        type: 'counter',
      },
      {
        name: 'stemedb_http_requests_total',
        labels: { status: '401' },
        value: 1,
        timestamp: 1767225600000,
        type: 'counter',
      },
      {
        name: 'stemedb_wal_fsync_latency_seconds_bucket',
        labels: { le: '0.005' },
        value: 1,
        type: 'histogram',
      },
      {
        name: 'stemedb_wal_fsync_latency_seconds_bucket',
        labels: { le: '+Inf' },
        value: 2,
        type: 'histogram',
      },
      {
        name: 'stemedb_wal_fsync_latency_seconds_sum',
        labels: {},
        value: 0.0125,
        type: 'histogram',
      },
      { name: 'stemedb_wal_fsync_latency_seconds_count', labels: {}, value: 2, type: 'histogram' },
    ]);
  });

  it.each([
    { line: 'a 1', want: 1 },
    { line: 'a -2.5e3', want: -2500 },
    { line: 'a .5', want: 0.5 },
    { line: 'a +Inf', want: Number.POSITIVE_INFINITY },
    { line: 'a -Inf', want: Number.NEGATIVE_INFINITY },
    { line: 'a NaN', want: Number.NaN },
    { line: 'a{} 4', want: 4 },
    { line: 'a{b="c",} 5', want: 5 },
    { line: 'a\t6', want: 6 },
    { line: 'a 7\r', want: 7 },
  ])('reads the value of "$line"', ({ line, want }) => {
    expect(parsePrometheusText(line)[0]?.value).toBe(want);
  });

  it('undoes the escapes in label values', () => {
    const [sample] = parsePrometheusText('m{path="C:\\\\DIR",msg="say \\"hi\\"\\nbye"} 1');
    expect(sample?.labels).toEqual({ path: 'C:\\DIR', msg: 'say "hi"\nbye' });
  });

  it('keeps commas, braces and spaces inside label values', () => {
    const [sample] = parsePrometheusText('m{a="x, y}",b="{z}"} 1');
    expect(sample?.labels).toEqual({ a: 'x, y}', b: '{z}' });
  });

  it('ignores comments and blank lines', () => {
    expect(parsePrometheusText('# just a comment\n\n   \n# HELP x y')).toEqual([]);
  });

  it.each([
    { text: '<html><body>Login</body></html>', line: 1 },
    { text: 'ok 1\n{status="200"} 1', line: 2 },
    { text: 'm{a="unterminated} 1', line: 1 },
    { text: 'm{a=b} 1', line: 1 },
    { text: 'm one', line: 1 },
    { text: 'm 1 2 3', line: 1 },
    { text: 'm 1 soon', line: 1 },
    { text: 'm', line: 1 },
    { text: '# TYPE m sparkline', line: 1 },
  ])('rejects "$text" at line $line', ({ text, line }) => {
    let thrown: unknown;
    try {
      parsePrometheusText(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PrometheusParseError);
    expect((thrown as PrometheusParseError).line).toBe(line);
  });
});
