// The SDK's performance shortcuts, each with the edit that removes it from a copy of the
// sources (issue: each shortcut must earn its place). An edit names text that must occur exactly
// once in the file, so a variant that no longer applies fails the build instead of measuring
// the unchanged SDK under another name.

export interface Edit {
  /** Path under packages/sdk/src. */
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

export interface Variant {
  /** `sdk@<name>` in the report. */
  readonly name: string;
  /** What the variant takes out. */
  readonly removes: string;
  readonly edits: readonly Edit[];
}

/** The SDK as it is, built the same way as the variants (the pair's other half). */
export const BASE = 'base';

export const VARIANTS: readonly Variant[] = [
  {
    name: 'no-attempt-abort',
    removes: 'attempt-abort.ts: an AbortController and a setTimeout per attempt instead',
    edits: [
      {
        file: 'transport.ts',
        find: `    const abort = new AttemptAbort();
    const timer = this.#timers.start(
      abort,
      byDeadline ? left : limits.timeoutMs,
      byDeadline ? 'deadline' : 'attempt',
    );`,
        replace: `    const controller = new AbortController();
    const abort = {
      kind: undefined,
      reason: undefined,
      // What exchange.ts uses of an AttemptAbort: one 'abort' listener and the reason.
      on(_event, listener) {
        controller.signal.addEventListener('abort', listener, { once: true });
      },
      fire(kind) {
        if (this.kind !== undefined) return;
        this.kind = kind;
        this.reason = new Error(\`attempt aborted (\${kind})\`);
        controller.abort(this.reason);
      },
    };
    const timer = setTimeout(
      () => abort.fire(byDeadline ? 'deadline' : 'attempt'),
      byDeadline ? left : limits.timeoutMs,
    );`,
      },
      {
        file: 'transport.ts',
        find: 'this.#timers.stop(abort, timer);',
        replace: 'clearTimeout(timer);',
      },
    ],
  },
  {
    name: 'no-fast-checks',
    removes: 'fast-checks.ts: zod safeParse of every assert input and response',
    edits: [
      {
        file: 'fast-checks.ts',
        find: 'export function fastAssertionInput(input: unknown): AssertionInput | undefined {',
        replace:
          'export function fastAssertionInput(input: unknown): AssertionInput | undefined {\n  if (input !== null) return undefined;',
      },
      {
        file: 'fast-checks.ts',
        find: 'export function fastAssertResponse(body: unknown): AssertResponse | undefined {',
        replace:
          'export function fastAssertResponse(body: unknown): AssertResponse | undefined {\n  if (body !== null) return undefined;',
      },
    ],
  },
  {
    name: 'no-header-table',
    removes: 'the header table: a fresh headers object per request',
    edits: [
      {
        file: 'transport.ts',
        find: 'get(accept: string, hasBody: boolean, auth: boolean): Record<string, string> {',
        replace:
          'get(accept: string, hasBody: boolean, auth: boolean): Record<string, string> {\n    if (accept !== "") return this.#build(accept, hasBody, auth);',
      },
      {
        file: 'transport.ts',
        find: 'return Object.freeze(headers);',
        replace: 'return headers;',
      },
    ],
  },
  {
    name: 'no-url-split',
    removes: 'the URL split: new URL + pathname + searchParams per call',
    edits: [
      {
        file: 'caller.ts',
        find: `      origin: this.#origin,
      target: this.#target(path, input.query),`,
        replace: '      ...urlParts(this.options.baseUrl, path, input.query),',
      },
      {
        file: 'caller.ts',
        find: 'function fillPath(',
        replace: `function urlParts(base, path, query) {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\\/+$/, '') + path;
  if (query !== undefined) {
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
  }
  return { origin: url.origin, target: url.pathname + url.search };
}

function fillPath(`,
      },
    ],
  },
  {
    name: 'no-first-attempt-outside',
    removes: 'the first attempt outside p-retry: every call enters p-retry',
    edits: [
      {
        file: 'retry.ts',
        find: `  let first: unknown;
  try {
    return { value: await attempt(1), attempts: 1 };
  } catch (error) {
    first = error;
  }`,
        replace: '',
      },
      { file: 'retry.ts', find: '      if (n === 1) throw first;\n', replace: '' },
    ],
  },
];
