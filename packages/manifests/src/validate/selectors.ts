/** Label selectors, as Kubernetes evaluates them. */
import { arr, isObject, obj, str, strMap } from './json.js';

/**
 * True when a `LabelSelector` (`matchLabels` + `matchExpressions`) selects `labels`. An empty
 * selector selects everything, as in a NetworkPolicy `podSelector: {}`.
 */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  const s = obj(selector);
  for (const [key, value] of Object.entries(strMap(s.matchLabels))) {
    if (labels[key] !== value) return false;
  }
  for (const raw of arr(s.matchExpressions)) {
    if (!isObject(raw)) continue;
    const key = str(raw.key) ?? '';
    const values = arr(raw.values).filter((v): v is string => typeof v === 'string');
    const has = Object.hasOwn(labels, key);
    switch (raw.operator) {
      case 'In':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when a plain map selector (a Service's `spec.selector`) selects `labels`. */
export function selectsMap(
  selector: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** True when a LabelSelector has no terms at all (it selects everything). */
export function isEmptySelector(selector: unknown): boolean {
  const s = obj(selector);
  return Object.keys(strMap(s.matchLabels)).length === 0 && arr(s.matchExpressions).length === 0;
}

/** `{a: "b"}` as `a=b`, for messages. */
export function formatLabels(labels: Record<string, string>): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return text === '' ? '(none)' : text;
}
