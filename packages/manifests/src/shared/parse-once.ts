/**
 * Parse options for a zod schema that a process parses with about once: a config, the options
 * of a `validate()` call, an object checked against one of our own schemas.
 *
 * zod compiles an object schema into a `new Function` on its first parse (its "fastpass"), which
 * pays off only over many parses: for a command that parses one config and validates one bundle,
 * then exits, it costs more than it saves. The option is per parse, since zod reads its global
 * `jitless` setting when a schema is built (at import), and the library shares zod with its user
 * when it is not bundled (run from source).
 */
export const PARSE_ONCE = { jitless: true } as const;
