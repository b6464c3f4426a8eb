/**
 * A command parses one config and validates one bundle, then exits: zod's JIT (an object
 * schema compiled into a `new Function` on its first parse) would cost more than it saves, so
 * those parses run without it (src/shared/parse-once.ts). Counted by constructing `Function`
 * through a proxy, which is how zod compiles (it reads the global when it compiles).
 */
import { describe, expect, it, vi } from 'vitest';

describe('the one-shot parses of a render', () => {
  it('compile no code: the config, the validate() options and our own schemas', async () => {
    // A fresh copy of the modules, so no schema was parsed (and compiled) by anything before.
    vi.resetModules();
    const { buildBundle, parseConfig, validate } = await import('../src/index.js');
    const original = globalThis.Function;
    let compiled = 0;
    globalThis.Function = new Proxy(original, {
      construct(target, args) {
        compiled += 1;
        return Reflect.construct(target, args);
      },
    });
    let report: ReturnType<typeof validate>;
    try {
      const config = parseConfig({
        ingress: { host: 'stemedb.threesix.ai' },
        image: { tag: '0.9.0' },
      });
      // The bundle holds a PrometheusRule, which our own zod schema checks.
      report = validate(buildBundle(config), {});
    } finally {
      globalThis.Function = original;
    }
    expect(report.ok).toBe(true);
    expect(compiled).toBe(0);
  });
});
