/**
 * The PromQL grammar's parser, re-exported alone so that tsup.config.ts can build it into a file
 * of its own (`dist/promql-parser.cjs`), which promql.ts requires when the first expression is
 * parsed: the parser and its runtime are about 200 KB of code that loading the library would
 * otherwise compile, PromQL or not.
 */
export { parser } from '@prometheus-io/lezer-promql';
