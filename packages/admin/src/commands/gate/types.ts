/**
 * The gate's shared types: one row of the pass/fail table, and what each phase's checks get.
 */
import type { StemeClient } from '@stemedb/sdk';
import type { ClientOptions } from '../context.js';

/**
 * A gate phase (roadmap: Phase 1 "first project can connect", Phase 2 "production hardening":
 * alerts and backup, Phase 3 "100 projects").
 */
export type GatePhase = 'phase1' | 'phase2' | 'phase3';

/** One row of the gate's table (`--json`: an array of these). Never holds a key. */
export interface GateCheck {
  phase: GatePhase;
  /** A stable name, e.g. `health`, `unauthenticated-write`, `rate-limit`. */
  check: string;
  ok: boolean;
  /** What was seen, in a few words (redacted). */
  detail: string;
}

/** What a phase's checks run with. */
export interface PhaseContext {
  url: string;
  adminKey: string;
  client: ClientOptions;
  /** A client with the admin key and no retries (a gate reports what the server answers). */
  admin: StemeClient;
  /** Opens a client with another key (or none), no retries; closed by the phase. */
  open(apiKey: string | undefined): StemeClient;
  now: () => Date;
  signal: AbortSignal | undefined;
  /** Records a check as soon as it is decided (the CLI prints rows as they come). */
  record(check: Omit<GateCheck, 'phase'>): void;
}

/** The roadmap's Phase 1 gate-test write. */
export const PING = Object.freeze({
  subject: 'test/ping',
  predicate: 'alive',
  value: true,
  agent_id: 'test',
});
