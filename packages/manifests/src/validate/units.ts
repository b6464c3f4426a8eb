/** Kubernetes quantities and Prometheus/Go durations, as numbers. */
import { QUANTITY_FACTORS } from '../shared/quantity.js';

/**
 * A quantity ("500m", "1Gi", 2) as a number (cores, bytes), or undefined when malformed.
 * Looser than the config's `isQuantity`: a validated object may carry any form the API
 * server accepts (signs, exponents), not only the ones our config writes.
 */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(value.trim());
  if (!match) return undefined;
  const factor = QUANTITY_FACTORS[match[2] ?? ''];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

const DURATION_UNIT: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** A duration ("15s", "1h30m", "2m") in seconds, or undefined when malformed. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (value === '0') return 0;
  let total = 0;
  let rest = value;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * DURATION_UNIT[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}
