/**
 * Reads a Traefik v3 router rule (`Host(`a`) && !PathPrefix(`/metrics`)`) far enough to answer
 * one question: can a request for a given path match it? Grammar per
 * https://doc.traefik.io/traefik/reference/routing-configuration/http/routing/rules-and-priority/:
 * matchers with backtick- or double-quoted arguments, `!`, `&&` (binding tighter than `||`),
 * parentheses.
 */

type Node =
  | { op: 'matcher'; name: string; args: string[] }
  | { op: 'not'; of: Node }
  | { op: 'and' | 'or'; left: Node; right: Node };

const TOKEN = /\s*(?:(&&|\|\||[!(),])|`([^`]*)`|"((?:[^"\\]|\\.)*)"|([A-Za-z][A-Za-z0-9]*))/y;

type Token = { kind: 'punct' | 'string' | 'name'; text: string };

function tokenize(rule: string): Token[] | undefined {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < rule.length) {
    if (/^\s*$/.test(rule.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(rule);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push({ kind: 'punct', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'string', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'string', text: JSON.parse(`"${m[3]}"`) });
    else out.push({ kind: 'name', text: m[4]! });
  }
  return out;
}

/** The rule as a tree, or undefined when it is not a Traefik v3 rule this reader understands. */
export function parseTraefikRule(rule: string): Node | undefined {
  const tokens = tokenize(rule);
  if (!tokens || tokens.length === 0) return undefined;
  let i = 0;
  const peek = (text: string) => tokens[i]?.kind === 'punct' && tokens[i]?.text === text;
  const or = (): Node | undefined => {
    let left = and();
    while (left && peek('||')) {
      i++;
      const right = and();
      left = right ? { op: 'or', left, right } : undefined;
    }
    return left;
  };
  const and = (): Node | undefined => {
    let left = unary();
    while (left && peek('&&')) {
      i++;
      const right = unary();
      left = right ? { op: 'and', left, right } : undefined;
    }
    return left;
  };
  const unary = (): Node | undefined => {
    if (peek('!')) {
      i++;
      const of = unary();
      return of && { op: 'not', of };
    }
    if (peek('(')) {
      i++;
      const inner = or();
      if (!peek(')')) return undefined;
      i++;
      return inner;
    }
    const name = tokens[i];
    if (name?.kind !== 'name') return undefined;
    i++;
    if (!peek('(')) return undefined;
    i++;
    const args: string[] = [];
    while (tokens[i]?.kind === 'string') {
      args.push(tokens[i]!.text);
      i++;
      if (peek(',')) i++;
    }
    if (!peek(')')) return undefined;
    i++;
    return { op: 'matcher', name: name.text, args };
  };
  const tree = or();
  return tree && i === tokens.length ? tree : undefined;
}

/** Does path matcher `name(arg)` match `path`? Undefined for a matcher that is not about the path. */
function pathMatcher(name: string, arg: string, path: string): boolean | undefined {
  if (name === 'Path') return path === arg;
  if (name === 'PathPrefix') return path.startsWith(arg);
  if (name === 'PathRegexp') {
    try {
      return new RegExp(arg).test(path);
    } catch {
      return true; // A Go regexp JavaScript cannot read: assume it may match.
    }
  }
  return undefined;
}

/**
 * Can some request for `path` match the rule? Matchers other than the path ones (Host, Header,
 * Method, Query, ClientIP...) are taken as satisfiable either way, because the client chooses
 * them (or, for ClientIP, may be anywhere): `Header(...)` and `!Header(...)` both count as true.
 * Negation is pushed down to the matchers (De Morgan) so that it applies to the path ones only.
 * Undefined when the rule cannot be read.
 */
export function ruleServesPath(rule: string, path: string): boolean | undefined {
  const tree = parseTraefikRule(rule);
  if (!tree) return undefined;
  const evaluate = (node: Node, negated: boolean): boolean => {
    switch (node.op) {
      case 'not':
        return evaluate(node.of, !negated);
      case 'and':
      case 'or': {
        const both = (node.op === 'and') !== negated;
        const l = evaluate(node.left, negated);
        const r = evaluate(node.right, negated);
        return both ? l && r : l || r;
      }
      case 'matcher': {
        const hit = pathMatcher(node.name, node.args[0] ?? '', path);
        return hit === undefined ? true : hit !== negated;
      }
    }
  };
  return evaluate(tree, false);
}

/**
 * The hosts a rule routes: the arguments of its `Host(...)` matchers that are not negated (a
 * `!Host(...)` excludes a name, it serves none). Undefined when the rule cannot be read.
 */
export function ruleHosts(rule: string): string[] | undefined {
  const tree = parseTraefikRule(rule);
  if (!tree) return undefined;
  const hosts: string[] = [];
  const visit = (node: Node, negated: boolean): void => {
    if (node.op === 'not') visit(node.of, !negated);
    else if (node.op === 'matcher') {
      if (node.name === 'Host' && !negated) hosts.push(...node.args);
    } else {
      visit(node.left, negated);
      visit(node.right, negated);
    }
  };
  visit(tree, false);
  return hosts;
}
