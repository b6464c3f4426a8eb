/**
 * The few Prometheus and Alertmanager HTTP API calls Phase 2 makes (targets, rules, alerts,
 * the running config), each with a timeout and the run's signal. Plain fetch: the API is a
 * handful of GETs with JSON answers, and a client library would bring a dependency for nothing.
 */

/** How long one API call may take. */
const CALL_TIMEOUT_MS = 10_000;

/** One active scrape target (`/api/v1/targets`). */
export interface PromTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/** One alerting rule as Prometheus runs it (`/api/v1/rules?type=alert`). */
export interface PromAlertRule {
  name: string;
  query: string;
  /** The rule's `for`, in seconds. */
  duration: number;
  health: string;
  lastError?: string;
  state: 'inactive' | 'pending' | 'firing';
}

/** One active alert (`/api/v1/alerts`). */
export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/** The intervals that bound how fast an alert can fire, in ms (from the running config). */
export interface PromIntervals {
  scrapeMs: number;
  scrapeTimeoutMs: number;
  evaluationMs: number;
}

async function getJson(
  base: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  const timeout = AbortSignal.timeout(CALL_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED, a timeout) is what helps.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (!response.ok) throw new Error(`GET ${url.pathname} answered ${response.status}`);
  return response.json();
}

/** Prometheus' API envelope: `{ status: 'success', data }`. */
async function promData<T>(base: string, path: string, signal?: AbortSignal): Promise<T> {
  const body = (await getJson(base, path, signal)) as { status?: string; data?: T; error?: string };
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(`GET ${path}: ${body.error ?? 'not a Prometheus API answer'}`);
  }
  return body.data;
}

/** The active scrape targets. */
export async function promTargets(base: string, signal?: AbortSignal): Promise<PromTarget[]> {
  const data = await promData<{ activeTargets: PromTarget[] }>(
    base,
    'api/v1/targets?state=active',
    signal,
  );
  return data.activeTargets;
}

/** Every loaded alerting rule, of every group. */
export async function promAlertRules(base: string, signal?: AbortSignal): Promise<PromAlertRule[]> {
  const data = await promData<{ groups: { rules: PromAlertRule[] }[] }>(
    base,
    'api/v1/rules?type=alert',
    signal,
  );
  return data.groups.flatMap((g) => g.rules);
}

/** The pending and firing alerts. */
export async function promAlerts(base: string, signal?: AbortSignal): Promise<PromAlert[]> {
  const data = await promData<{ alerts: PromAlert[] }>(base, 'api/v1/alerts', signal);
  return data.alerts;
}

/** An instant query's vector, as label sets with their value. */
export async function promQuery(
  base: string,
  query: string,
  signal?: AbortSignal,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const data = await promData<{
    resultType: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  }>(base, `api/v1/query?query=${encodeURIComponent(query)}`, signal);
  if (data.resultType !== 'vector') throw new Error(`query ${query}: not a vector`);
  return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/**
 * The global scrape and evaluation intervals of the running config (`/api/v1/status/config`,
 * YAML). Read with a pattern on the `global:` block rather than a YAML parser: Prometheus
 * writes it in one fixed shape, and only three keys are needed. Prometheus' defaults (1m, 10s,
 * 1m) stand in for a key it leaves out.
 */
export async function promIntervals(base: string, signal?: AbortSignal): Promise<PromIntervals> {
  const { yaml } = await promData<{ yaml: string }>(base, 'api/v1/status/config', signal);
  const global = /^global:\n((?: {2}.*\n?)*)/m.exec(yaml)?.[1] ?? '';
  const key = (name: string, fallback: string) =>
    parseDuration(new RegExp(`^ {2}${name}: (\\S+)`, 'm').exec(global)?.[1] ?? fallback);
  return {
    scrapeMs: key('scrape_interval', '1m'),
    scrapeTimeoutMs: key('scrape_timeout', '10s'),
    evaluationMs: key('evaluation_interval', '1m'),
  };
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** A Prometheus duration (`1m30s`, `15s`, `500ms`) in ms; throws on anything else. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`not a Prometheus duration: ${JSON.stringify(text)}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}

/** The active alerts named `alertname` that Alertmanager holds (`/api/v2/alerts`). */
export async function alertmanagerAlerts(
  base: string,
  alertname: string,
  signal?: AbortSignal,
): Promise<{ labels: Record<string, string>; status: { state: string } }[]> {
  const filter = encodeURIComponent(`alertname="${alertname}"`);
  return (await getJson(base, `api/v2/alerts?active=true&filter=${filter}`, signal)) as {
    labels: Record<string, string>;
    status: { state: string };
  }[];
}
