/**
 * The parts of a SARIF 2.1.0 log this package reads, as plain TypeScript shapes. The JSON schema
 * (validate.ts) is what checks a log; these only say which fields the mapping touches.
 */

/** `artifactLocation`: a URI, possibly relative to a named base (`uriBaseId`). */
export interface SarifArtifactLocation {
  readonly uri?: string;
  readonly uriBaseId?: string;
  readonly index?: number;
}

/** `region`: lines (1-based) and, optionally, the text they cover. */
export interface SarifRegion {
  readonly startLine?: number;
  readonly endLine?: number;
  readonly snippet?: { readonly text?: string };
}

/** `location`. */
export interface SarifLocation {
  readonly physicalLocation?: {
    readonly artifactLocation?: SarifArtifactLocation;
    readonly region?: SarifRegion;
    readonly contextRegion?: SarifRegion;
  };
}

/** `message`: text, or an id into the rule's `messageStrings` with `{0}` arguments. */
export interface SarifMessage {
  readonly text?: string;
  readonly id?: string;
  readonly arguments?: readonly string[];
}

/** `reportingDescriptor`: a rule. */
export interface SarifRule {
  readonly id?: string;
  readonly defaultConfiguration?: { readonly level?: SarifLevel };
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly messageStrings?: Readonly<Record<string, { readonly text?: string }>>;
  readonly shortDescription?: { readonly text?: string };
}

/** `result.level`. */
export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

/** `result`. */
export interface SarifResult {
  readonly ruleId?: string;
  readonly ruleIndex?: number;
  readonly rule?: {
    readonly id?: string;
    readonly index?: number;
    readonly toolComponent?: { readonly index?: number };
  };
  readonly level?: SarifLevel;
  readonly kind?: string;
  readonly message?: SarifMessage;
  readonly locations?: readonly SarifLocation[];
  readonly partialFingerprints?: Readonly<Record<string, string>>;
  readonly fingerprints?: Readonly<Record<string, string>>;
}

/** `toolComponent`: the driver or an extension. */
export interface SarifToolComponent {
  readonly name?: string;
  readonly version?: string;
  readonly semanticVersion?: string;
  readonly rules?: readonly SarifRule[];
}

/** `run`. */
export interface SarifRun {
  readonly tool?: {
    readonly driver?: SarifToolComponent;
    readonly extensions?: readonly SarifToolComponent[];
  };
  readonly results?: readonly SarifResult[] | null;
  readonly artifacts?: readonly { readonly location?: SarifArtifactLocation }[];
  readonly originalUriBaseIds?: Readonly<Record<string, SarifArtifactLocation>>;
  readonly invocations?: readonly {
    readonly startTimeUtc?: string;
    readonly endTimeUtc?: string;
  }[];
  readonly versionControlProvenance?: readonly {
    readonly revisionId?: string;
    readonly branch?: string;
    readonly mappedTo?: SarifArtifactLocation;
  }[];
}

/** A SARIF 2.1.0 log (`sarifLog`), once the schema accepted it (validate.ts). */
export interface SarifLog {
  readonly version: '2.1.0';
  readonly runs: readonly SarifRun[];
}

/** What of a run a result's mapping reads (its rules, bases and artifacts): not its results. */
export type RunContext = Pick<
  SarifRun,
  'tool' | 'originalUriBaseIds' | 'artifacts' | 'versionControlProvenance'
>;
