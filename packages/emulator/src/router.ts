import type { IncomingMessage } from 'node:http';
import type { Access, Principal } from './auth.js';
import type { Reply } from './reply.js';

/** What a handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  /** Path parameters by name, decoded, e.g. `{ hash }`. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  principal: Principal | undefined;
}

/** One operation of the yaml: a method on a path template. */
export interface Route {
  method: string;
  /** The yaml's path template, e.g. `/v1/admin/api-keys/{hash}`; also the metrics `route` label. */
  template: string;
  access: Access;
  handle(ctx: RouteContext): Promise<Reply> | Reply;
}

/** The outcome of matching a request line. */
export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; template: string; allow: string[] }
  | { kind: 'not_found' };

/** Matches paths segment by segment; `{name}` matches one non-empty segment. */
export class Router {
  constructor(private readonly routes: readonly Route[]) {}

  match(method: string, pathname: string): RouteMatch {
    const segments = pathname.split('/');
    const allow: string[] = [];
    let template: string | undefined;
    for (const route of this.routes) {
      const params = matchTemplate(route.template, segments);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, params };
      template ??= route.template;
      allow.push(route.method);
    }
    return template ? { kind: 'method_not_allowed', template, allow } : { kind: 'not_found' };
  }
}

function matchTemplate(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (segment === '') return undefined;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
