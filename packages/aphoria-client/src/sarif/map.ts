/**
 * One SARIF result as one finding, given its run's context (rules, bases, artifacts): rule from
 * `rule.id`, `ruleId` or the rule an index points at; severity; file and lines; message; and a
 * fingerprint (see README, "SARIF input").
 */
import type { Finding } from '../scan.js';
import { contentFingerprint, type FingerprintCounter, producerFingerprint } from './fingerprint.js';
import { RunLocations } from './location.js';
import { severityOf } from './severity.js';
import type { RunContext, SarifResult, SarifRule } from './types.js';

const MAX_RULE = 200;
const MAX_MESSAGE = 10_000;
const MAX_FILE = 1024;

/** The fields of a run that {@link RunContext} holds. */
export const RUN_CONTEXT_FIELDS = [
  'tool',
  'originalUriBaseIds',
  'artifacts',
  'versionControlProvenance',
] as const satisfies readonly (keyof RunContext)[];

/** Maps the results of one run, each with the same context. */
export class RunMapper {
  readonly #places: RunLocations;
  readonly #rules: RuleIndex;
  readonly #includeSnippets: boolean;

  /** `repositoryRoot`: an absolute directory; `file:` URIs under it become relative to it. */
  constructor(
    run: RunContext,
    options: { repositoryRoot?: string | undefined; includeSnippets?: boolean | undefined },
  ) {
    this.#places = new RunLocations(run, options.repositoryRoot);
    this.#rules = new RuleIndex(run);
    this.#includeSnippets = options.includeSnippets === true;
  }

  /** The finding of `result` (valid against the schema); `counter` numbers repeated fingerprints. */
  finding(result: SarifResult, counter: FingerprintCounter): Finding {
    const descriptor = this.#rules.of(result);
    const rule = cut(result.rule?.id ?? result.ruleId ?? descriptor?.id ?? '(no rule)', MAX_RULE);
    const place = this.#places.placeOf(result);
    const file = cut(place.file, MAX_FILE);
    const message = cut(messageOf(result, descriptor) || rule, MAX_MESSAGE);
    const fingerprint = counter.unique(
      producerFingerprint(result, rule) ??
        contentFingerprint(rule, file, place.regionText ?? message),
    );
    return {
      rule,
      severity: severityOf(result, descriptor),
      file,
      line: place.line,
      end_line: place.endLine,
      message,
      fingerprint,
      ...(this.#includeSnippets && place.snippet !== undefined && place.snippet !== ''
        ? { snippet: cut(place.snippet, MAX_MESSAGE) }
        : {}),
    };
  }
}

/** A run's rules, found by `rule.index`/`ruleIndex` first (in the driver or an extension), else id. */
class RuleIndex {
  readonly #run: Pick<RunContext, 'tool'>;
  #byId: Map<string, SarifRule> | undefined;

  constructor(run: Pick<RunContext, 'tool'>) {
    this.#run = run;
  }

  of(result: SarifResult): SarifRule | undefined {
    const component =
      result.rule?.toolComponent?.index !== undefined
        ? this.#run.tool?.extensions?.[result.rule.toolComponent.index]
        : this.#run.tool?.driver;
    const index = result.rule?.index ?? result.ruleIndex;
    if (index !== undefined && index >= 0) {
      const rule = component?.rules?.[index];
      if (rule !== undefined) return rule;
    }
    const id = result.rule?.id ?? result.ruleId;
    if (id === undefined) return undefined;
    if (this.#byId === undefined) {
      this.#byId = new Map();
      for (const c of [this.#run.tool?.driver, ...(this.#run.tool?.extensions ?? [])]) {
        for (const r of c?.rules ?? [])
          if (r.id !== undefined && !this.#byId.has(r.id)) this.#byId.set(r.id, r);
      }
    }
    return this.#byId.get(id);
  }
}

/** `message.text`, else the rule's `messageStrings[message.id]` with `{n}` arguments filled in. */
function messageOf(result: SarifResult, rule: SarifRule | undefined): string {
  const message = result.message;
  if (message?.text !== undefined && message.text !== '') return message.text;
  const template = message?.id === undefined ? undefined : rule?.messageStrings?.[message.id]?.text;
  if (template !== undefined) {
    return template.replace(
      /\{(\d+)\}/g,
      (whole, n: string) => message?.arguments?.[Number(n)] ?? whole,
    );
  }
  return rule?.shortDescription?.text ?? '';
}

/** `text` cut to `max` characters, an ellipsis marking the cut. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
