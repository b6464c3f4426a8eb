/**
 * A sample Aphoria scan (`aphoria.scan/v1`), as `aphoria scan --persist` hands it over: a few
 * findings of a few rules, each with a stable fingerprint.
 */
import { createHash } from 'node:crypto';
import type { Scan } from '@stemedb/aphoria-client';

const RULES = [
  ['secrets/hardcoded-key', 'high', 'a credential is committed in source'],
  ['deps/outdated-major', 'medium', 'a dependency is two majors behind'],
  ['sql/string-concat', 'critical', 'a query is built by string concatenation'],
  ['log/pii', 'low', 'a log line may carry a user e-mail'],
] as const;

/** A scan of `project` at `commit` (any text: it is hashed into a 40-hex id) with `count` findings. */
export function sampleScan(project: string, commit: string, count: number): Scan {
  const sha = createHash('sha1').update(`${project}@${commit}`).digest('hex');
  return {
    schema: 'aphoria.scan/v1',
    project,
    commit: sha,
    branch: 'main',
    scanner: { name: 'aphoria', version: '0.9.0' },
    started_at: '2026-12-01T10:00:00Z',
    finished_at: '2026-12-01T10:00:09Z',
    findings: Array.from({ length: count }, (_, i) => {
      const [rule, severity, message] = RULES[i % RULES.length]!;
      const file = `src/module-${Math.floor(i / RULES.length)}.ts`;
      return {
        rule,
        severity,
        file,
        line: 10 + i,
        end_line: 10 + i,
        message,
        fingerprint: `${rule}:${file}:${i}`,
      };
    }),
  };
}
