/**
 * PromQL, parsed with the Prometheus project's own grammar (@prometheus-io/lezer-promql, the
 * parser of the Prometheus UI) into a small syntax tree the PromQL rules can reason about.
 */
import { createRequire } from 'node:module';
import type { parser as PromQLParser } from '@prometheus-io/lezer-promql';
import { requireBuilt } from '../shared/code-cache.js';

type SyntaxNode = ReturnType<typeof PromQLParser.parse>['topNode'];

declare const __STEMEDB_CLI_BUNDLE__: boolean | undefined;

let loaded: typeof PromQLParser | undefined;

/**
 * The parser, loaded when the first expression is parsed: compiling it and building it (its
 * parse tables, the highlighting tags) is work every `require('@stemedb/manifests')` did
 * otherwise, PromQL or not. The builds carry it in `dist/promql-parser.cjs` (promql-parser.ts,
 * beside the chunk this module lands in), loaded with its code cache (code-cache.ts); from
 * source it comes from node_modules.
 */
function promqlParser(): typeof PromQLParser {
  if (!loaded) {
    const from = typeof __filename === 'string' ? __filename : import.meta.url;
    const bundled = typeof __STEMEDB_CLI_BUNDLE__ !== 'undefined' && __STEMEDB_CLI_BUNDLE__;
    loaded = (
      (bundled
        ? requireBuilt('./promql-parser.cjs', from)
        : createRequire(from)('@prometheus-io/lezer-promql')) as { parser: typeof PromQLParser }
    ).parser;
  }
  return loaded;
}

/** A label matcher of a selector. */
export interface Matcher {
  label: string;
  op: string;
  value: string;
}

/** A PromQL expression. */
export type PromExpr =
  | { type: 'number'; text: string }
  | { type: 'string'; value: string; text: string }
  | {
      type: 'selector';
      metric: string | undefined;
      matchers: Matcher[];
      range: string | undefined;
      text: string;
    }
  | { type: 'call'; name: string; args: PromExpr[]; text: string }
  | {
      type: 'aggregate';
      op: string;
      grouping: Grouping | undefined;
      args: PromExpr[];
      text: string;
    }
  | {
      type: 'binary';
      op: string;
      lhs: PromExpr;
      rhs: PromExpr;
      matching: { kind: 'on' | 'ignoring'; labels: string[] } | undefined;
      bool: boolean;
      text: string;
    }
  | {
      type: 'wrap';
      kind: 'paren' | 'unary' | 'offset' | 'at' | 'subquery';
      expr: PromExpr;
      text: string;
    }
  | { type: 'unknown'; text: string };

/** `by (…)` or `without (…)`. */
export interface Grouping {
  kind: 'by' | 'without';
  labels: string[];
}

/** A parse result: an expression, or where and why it does not parse. */
export type ParseResult =
  | { ok: true; expr: PromExpr }
  | { ok: false; position: number; message: string };

const BINARY_OPS = new Set([
  'Pow',
  'Mul',
  'Div',
  'Mod',
  'Add',
  'Sub',
  'Eql',
  'Gte',
  'Gtr',
  'Lte',
  'Lss',
  'Neq',
  'And',
  'Or',
  'Unless',
  'Atan2',
]);

// Several rules look at every alert expression; parsing each once keeps a cold `render` fast.
// Bounded, since a long-lived caller (lint over many files) sees many expressions.
const parsed = new Map<string, ParseResult>();
const MAX_CACHED = 512;

/** Parses one PromQL expression (results are cached by text: treat them as read-only). */
export function parsePromQL(text: string): ParseResult {
  let result = parsed.get(text);
  if (result === undefined) {
    result = parseUncached(text);
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(text, result);
  }
  return result;
}

function parseUncached(text: string): ParseResult {
  if (text.trim() === '') return { ok: false, position: 0, message: 'empty expression' };
  const tree = promqlParser().parse(text);
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === undefined) error = node.from;
    },
  });
  if (error !== undefined) {
    const near = text.slice(error, error + 20).trim();
    return {
      ok: false,
      position: error,
      message: `syntax error at offset ${error}${near ? ` near "${near}"` : ''}`,
    };
  }
  const top = children(tree.topNode)[0];
  return top
    ? { ok: true, expr: convert(top, text) }
    : { ok: false, position: 0, message: 'no expression' };
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

const unquote = (s: string): string => {
  try {
    return s.startsWith('`')
      ? s.slice(1, -1)
      : (JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1)}"` : s) as string);
  } catch {
    return s.slice(1, -1);
  }
};

function grouping(node: SyntaxNode | undefined, text: string): string[] {
  if (!node) return [];
  return children(node)
    .filter((c) => c.name === 'LabelName' || c.name === 'QuotedLabelName')
    .map((c) =>
      c.name === 'LabelName' ? text.slice(c.from, c.to) : unquote(text.slice(c.from, c.to)),
    );
}

const EXPR_NODES = new Set([
  'AggregateExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberDurationLiteral',
  'OffsetExpr',
  'ParenExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
  'StepInvariantExpr',
  'AnchoredExpr',
  'SmoothedExpr',
]);

function convert(node: SyntaxNode, text: string): PromExpr {
  const source = text.slice(node.from, node.to);
  const kids = children(node);
  const exprs = () => kids.filter((k) => EXPR_NODES.has(k.name)).map((k) => convert(k, text));
  switch (node.name) {
    case 'NumberDurationLiteral':
      return { type: 'number', text: source };
    case 'StringLiteral':
      return { type: 'string', value: unquote(source), text: source };
    case 'VectorSelector':
      return selector(node, text, undefined);
    case 'MatrixSelector': {
      const vector = kids.find((k) => k.name === 'VectorSelector');
      const range = kids.find((k) => k.name === 'DurationExpr');
      if (!vector) return { type: 'unknown', text: source };
      return selector(vector, text, range ? text.slice(range.from, range.to) : '', source);
    }
    case 'FunctionCall': {
      const id = kids.find((k) => k.name === 'FunctionIdentifier');
      const body = kids.find((k) => k.name === 'FunctionCallBody');
      const args = body
        ? children(body)
            .filter((k) => EXPR_NODES.has(k.name))
            .map((k) => convert(k, text))
        : [];
      return { type: 'call', name: id ? text.slice(id.from, id.to) : '', args, text: source };
    }
    case 'AggregateExpr': {
      const op = kids.find((k) => k.name === 'AggregateOp');
      const modifier = kids.find((k) => k.name === 'AggregateModifier');
      const body = kids.find((k) => k.name === 'FunctionCallBody');
      const modKids = modifier ? children(modifier) : [];
      const args = body
        ? children(body)
            .filter((k) => EXPR_NODES.has(k.name))
            .map((k) => convert(k, text))
        : [];
      return {
        type: 'aggregate',
        op: op ? text.slice(op.from, op.to) : '',
        grouping: modifier
          ? {
              kind: modKids.some((k) => k.name === 'Without') ? 'without' : 'by',
              labels: grouping(
                modKids.find((k) => k.name === 'GroupingLabels'),
                text,
              ),
            }
          : undefined,
        args,
        text: source,
      };
    }
    case 'BinaryExpr': {
      const [lhs, rhs] = exprs();
      const op = kids.find((k) => BINARY_OPS.has(k.name));
      const clause = kids.find((k) => k.name === 'MatchingModifierClause');
      const clauseKids = clause ? children(clause) : [];
      const matchKind = clauseKids.find((k) => k.name === 'On' || k.name === 'Ignoring');
      return {
        type: 'binary',
        op: op ? text.slice(op.from, op.to) : '?',
        lhs: lhs ?? { type: 'unknown', text: '' },
        rhs: rhs ?? { type: 'unknown', text: '' },
        matching: matchKind
          ? {
              kind: matchKind.name === 'On' ? 'on' : 'ignoring',
              labels: grouping(
                clauseKids.find((k) => k.name === 'GroupingLabels'),
                text,
              ),
            }
          : undefined,
        bool: kids.some((k) => k.name === 'BoolModifier'),
        text: source,
      };
    }
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'OffsetExpr':
    case 'StepInvariantExpr':
    case 'SubqueryExpr':
    case 'AnchoredExpr':
    case 'SmoothedExpr': {
      const inner = exprs()[0];
      const kind = (
        {
          ParenExpr: 'paren',
          UnaryExpr: 'unary',
          OffsetExpr: 'offset',
          SubqueryExpr: 'subquery',
        } as const
      )[node.name as 'ParenExpr'];
      return inner
        ? { type: 'wrap', kind: kind ?? 'at', expr: inner, text: source }
        : { type: 'unknown', text: source };
    }
    default:
      return { type: 'unknown', text: source };
  }
}

function selector(
  node: SyntaxNode,
  text: string,
  range: string | undefined,
  source?: string,
): PromExpr {
  const kids = children(node);
  const id = kids.find((k) => k.name === 'Identifier' || k.name === 'MetricName');
  const matchers: Matcher[] = [];
  const list = kids.find((k) => k.name === 'LabelMatchers');
  for (const m of list ? children(list) : []) {
    const parts = children(m);
    const name = parts.find((p) => p.name === 'LabelName' || p.name === 'QuotedLabelName');
    const op = parts.find((p) => p.name === 'MatchOp');
    const value = parts.filter((p) => p.name === 'StringLiteral').at(-1);
    if (!name || !op || !value) continue;
    const label =
      name.name === 'LabelName'
        ? text.slice(name.from, name.to)
        : unquote(text.slice(name.from, name.to));
    matchers.push({
      label,
      op: text.slice(op.from, op.to),
      value: unquote(text.slice(value.from, value.to)),
    });
  }
  const nameMatcher = matchers.find((m) => m.label === '__name__' && m.op === '=');
  return {
    type: 'selector',
    metric: id ? text.slice(id.from, id.to) : nameMatcher?.value,
    matchers,
    range,
    text: source ?? text.slice(node.from, node.to),
  };
}
