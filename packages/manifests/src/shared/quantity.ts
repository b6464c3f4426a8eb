// In src/shared/: helpers that config, objects and validate all use, and so belong to none of them.
/**
 * Kubernetes resource quantities ("500m", "1Gi", "20Gi"): the subset we accept, and their
 * value as a number so that invariants such as requests ≤ limits can be checked.
 */

/** What each quantity suffix multiplies by (decimal SI and binary). */
export const QUANTITY_FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A positive decimal number and an optional SI or binary suffix; no sign, no exponent. */
export const QUANTITY_PATTERN = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[numkMGTPE]|[KMGTPE]i)?$/;

/** True when `text` is a quantity we accept. */
export function isQuantity(text: string): boolean {
  return QUANTITY_PATTERN.test(text);
}

/** The value of a quantity (cores for CPU, bytes for memory and storage); throws on a bad one. */
export function quantityValue(text: string): number {
  if (!isQuantity(text)) {
    throw new Error(`not a Kubernetes quantity: ${JSON.stringify(text)}`);
  }
  const match = /^([\d.]+)(\D*)$/.exec(text)!;
  return Number(match[1]) * QUANTITY_FACTORS[match[2] ?? '']!;
}
