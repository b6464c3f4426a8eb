/**
 * `aphoria-hosted status`: is this machine ready to persist, and is anything waiting? The
 * config (found, and where), the key (present; never shown), the server (reachable, and does
 * it accept the key), the spool (size and age). It changes nothing and takes no lock.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { isStemeError } from '@stemedb/sdk';
import { parse as parseToml } from 'smol-toml';
import { clientFor } from '../client.js';
import { checkApiKeyEnv, looksLikeKey } from '../config/checks.js';
import { DEFAULT_API_KEY_ENV, DEFAULT_SPOOL_DIR } from '../config/defaults.js';
import { findConfigFile } from '../config/load.js';
import { HostedConfigError } from '../errors.js';
import { authMessage, isNotStemeDb, notStemeDbMessage } from '../refusals.js';
import { type SpoolStatus, spoolStatus } from '../spool-status.js';
import type { HostedConfig } from '../types.js';
import { type CommonFlags, loadConfig } from './common.js';
import { unignoredSpoolIn } from './git-ignored.js';
import { EXIT_CODES, ExitWith, type Io, oneLine, palette, printJson, warnLine } from './io.js';

/** How long the server checks may take, each. */
export const STATUS_TIMEOUT_MS = 5_000;

/** What `status --json` prints. JSON-safe: absent facts are `null`, never the key. */
export interface StatusReport {
  config: { found: boolean; path: string | null; valid: boolean; error: string | null };
  url: string | null;
  /** The env var the key is read from, and whether it is set (not empty). */
  key: { env: string; present: boolean };
  /** `checked: false` when the config is not valid (no URL or key to try). */
  server: {
    checked: boolean;
    reachable: boolean | null;
    keyAccepted: boolean | null;
    /** True when the URL answers, but not as StemeDB (404 on /v1/health, or not its JSON). */
    notStemeDb: boolean;
    error: string | null;
  };
  /** The spool, when its directory is known; `oldestAgeMs` is how long the oldest scan waits. */
  spool: (SpoolStatus & { oldestAgeMs: number | null }) | null;
  /** What may go wrong though nothing failed (each also printed on stderr, one line each). */
  warnings: string[];
}

export async function runStatus(flags: CommonFlags, io: Io): Promise<void> {
  const report = await statusReport(io);
  for (const warning of report.warnings) warnLine(io, warning);
  if (flags.json === true) printJson(io, report);
  else io.stdout.write(renderStatus(report, io));
  if (!report.config.valid) {
    throw new ExitWith(EXIT_CODES.usage, report.config.error ?? 'the config is not valid');
  }
  if (report.server.notStemeDb) {
    throw new ExitWith(EXIT_CODES.usage, report.server.error ?? 'the URL is not StemeDB');
  }
  if (report.server.keyAccepted === false) {
    throw new ExitWith(EXIT_CODES.auth, report.server.error ?? 'StemeDB refused the key');
  }
}

/** Gathers the report; never throws for what it reports on. */
export async function statusReport(io: Io): Promise<StatusReport> {
  const report: StatusReport = {
    config: { found: false, path: null, valid: false, error: null },
    url: null,
    key: { env: DEFAULT_API_KEY_ENV, present: false },
    server: { checked: false, reachable: null, keyAccepted: null, notStemeDb: false, error: null },
    spool: null,
    warnings: [],
  };
  let config: HostedConfig | undefined;
  try {
    report.config.path = await findConfigFile(io.cwd);
    report.config.found = true;
    config = await loadConfig(io);
    report.config.valid = true;
  } catch (error) {
    if (!(error instanceof HostedConfigError)) throw error;
    report.config.error = oneLine(error.message);
  }

  let spoolDir: string | undefined;
  if (config !== undefined) {
    report.url = config.url;
    report.key = { env: config.apiKeyEnv, present: true };
    spoolDir = config.spoolDir;
    report.server = await checkServer(config);
  } else if (report.config.path !== null) {
    // Broken config: still say which env var it names and where its spool is, if readable.
    const light = await lightRead(report.config.path);
    report.key = { env: light.apiKeyEnv, present: (io.env[light.apiKeyEnv] ?? '') !== '' };
    spoolDir = resolve(dirname(report.config.path), light.spoolDir);
  } else {
    report.key.present = (io.env[DEFAULT_API_KEY_ENV] ?? '') !== '';
  }
  if (spoolDir !== undefined) {
    // spoolStatus reads config.spoolDir only; with a broken config there is no URL or key.
    const status = await spoolStatus({
      config: config ?? {
        url: '',
        apiKey: '',
        apiKeyEnv: report.key.env,
        configPath: report.config.path ?? undefined,
        spoolDir,
      },
    });
    const oldest = status.oldestAt === undefined ? Number.NaN : Date.parse(status.oldestAt);
    report.spool = {
      ...status,
      oldestAgeMs: Number.isNaN(oldest) ? null : Math.max(0, Date.now() - oldest),
    };
    const tree = await unignoredSpoolIn(spoolDir);
    if (tree !== undefined) {
      const rel = relative(tree, spoolDir).split(sep).join('/');
      report.warnings.push(
        `the spool ${spoolDir} is inside the git work tree ${tree} and not ignored: its journals (the findings of spooled scans) could be committed; add \`${rel}/\` to .gitignore`,
      );
    }
  }
  return report;
}

/** Health (no key needed), then one read with the key: reachable, and the key accepted. */
async function checkServer(config: HostedConfig): Promise<StatusReport['server']> {
  const out: StatusReport['server'] = {
    checked: true,
    reachable: false,
    keyAccepted: null,
    notStemeDb: false,
    error: null,
  };
  const client = clientFor(config, {
    retry: false,
    timeoutMs: STATUS_TIMEOUT_MS,
    deadlineMs: STATUS_TIMEOUT_MS,
  });
  try {
    await client.health();
    out.reachable = true;
    await client.listAssertions({ limit: 1 });
    out.keyAccepted = true;
  } catch (error) {
    if (!isStemeError(error)) throw error;
    if (error.status === 401 || error.status === 403) {
      out.keyAccepted = false;
      out.error = authMessage(error.status, config.apiKeyEnv);
    } else if (isNotStemeDb(error)) {
      out.notStemeDb = true;
      out.error = notStemeDbMessage(config.url, error, config.configPath);
    } else {
      out.error = oneLine(error.message);
    }
  } finally {
    await client.close();
  }
  return out;
}

/** `[hosted] api_key_env` and `spool_dir` of a config that did not load, when they can be read. */
async function lightRead(path: string): Promise<{ apiKeyEnv: string; spoolDir: string }> {
  const fallback = { apiKeyEnv: DEFAULT_API_KEY_ENV, spoolDir: DEFAULT_SPOOL_DIR };
  try {
    const text = await readFile(path, 'utf8');
    if (looksLikeKey(text)) return fallback;
    const hosted = (parseToml(text) as { hosted?: Record<string, unknown> }).hosted;
    const env = hosted?.api_key_env;
    const dir = hosted?.spool_dir;
    return {
      apiKeyEnv:
        typeof env === 'string' && checkApiKeyEnv(env) === undefined ? env : DEFAULT_API_KEY_ENV,
      spoolDir: typeof dir === 'string' && dir !== '' ? dir : DEFAULT_SPOOL_DIR,
    };
  } catch {
    return fallback;
  }
}

/** The report for a person: one line per fact. */
export function renderStatus(r: StatusReport, io: Io): string {
  const { green, red, yellow } = palette(io.stdout, io.env);
  const lines: string[] = [];
  const row = (label: string, text: string) => lines.push(`${label.padEnd(7)} ${text}`);
  if (!r.config.found) row('config', `${red('not found')}: ${r.config.error ?? ''}`);
  else if (!r.config.valid)
    row('config', `${r.config.path}: ${red('invalid')}: ${r.config.error ?? ''}`);
  else row('config', `${r.config.path} ${green('ok')}`);
  if (r.url !== null) row('url', r.url);
  row(
    'key',
    r.key.present
      ? `${r.key.env} is set ${green('(not shown)')}`
      : `${r.key.env} ${red('is not set')}`,
  );
  const s = r.server;
  if (!s.checked) row('server', 'not checked (the config is not valid)');
  else if (s.notStemeDb) row('server', `${red('not StemeDB')}: ${s.error ?? ''}`);
  else if (s.reachable !== true)
    row('server', `${yellow('unreachable')}: ${s.error ?? ''} (persist would spool)`);
  else if (s.keyAccepted === false)
    row('server', `reachable; ${red('key refused')}: ${s.error ?? ''}`);
  else row('server', `${green('reachable')}; key accepted`);
  if (r.spool !== null) row('spool', spoolLine(r.spool, yellow));
  return `${lines.join('\n')}\n`;
}

function spoolLine(spool: NonNullable<StatusReport['spool']>, mark: (t: string) => string): string {
  const dead = spool.deadLetters.reduce((n, d) => n + d.records, 0);
  const deadNote =
    dead > 0
      ? `; ${dead} dead-lettered record(s) in ${spool.deadLetters.length} file(s) (${spool.deadLetters.map((d) => d.path).join(', ')}): never sent again, inspect then delete`
      : '';
  const foreignNote = foreignLine(spool.foreign);
  if (spool.scans === 0) {
    return `${spool.dir}: empty${spool.corrupt.length > 0 ? `; ${spool.corrupt.length} damaged file(s) set aside` : ''}${deadNote}${foreignNote}`;
  }
  const parts = [
    `${spool.scans} scan(s)`,
    `${spool.records} assertion(s) waiting`,
    bytes(spool.bytes),
  ];
  if (spool.oldestAgeMs !== null)
    parts.push(`oldest spooled ${age(spool.oldestAgeMs)} ago (${spool.oldestAt})`);
  if (spool.locked > 0) parts.push(`${spool.locked} being sent by another run`);
  const cut = spool.entries.filter((e) => e.missing > 0);
  if (cut.length > 0) {
    const missing = cut.reduce((n, e) => n + e.missing, 0);
    parts.push(
      `${cut.length} scan(s) cut off while journaled: ${missing} assertion(s) missing (persist ${cut.map((e) => e.scanId).join(', ')} again)`,
    );
  }
  if (spool.corrupt.length > 0) parts.push(`${spool.corrupt.length} damaged file(s) set aside`);
  return `${spool.dir}: ${mark(parts.join(', '))}; \`aphoria-hosted flush\` sends it${deadNote}${foreignNote}`;
}

// Journals of another format version, grouped by their writer: this version leaves them alone.
function foreignLine(foreign: NonNullable<StatusReport['spool']>['foreign']): string {
  if (foreign.length === 0) return '';
  const byWriter = new Map<string, string[]>();
  for (const f of foreign) {
    const writer = `${f.by ?? 'a later aphoria-client'} (format ${f.version})`;
    byWriter.set(writer, [...(byWriter.get(writer) ?? []), f.scanId]);
  }
  const groups = [...byWriter].map(
    ([writer, scans]) => `${scans.length} spool file(s) written by ${writer}: ${scans.join(', ')}`,
  );
  return `; ${groups.join('; ')}: this version cannot read them and leaves them untouched for that version to send`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
