/**
 * reconcileProject, the one decision plan, apply, rotate and revoke act on (issue 22): table
 * rows of { given, want }, each rule with its near miss (the smallest change it must not act on).
 */
import { describe, expect, it } from 'vitest';
import {
  type ObservedKey,
  type ObservedProject,
  reconcileProject,
} from '../../src/commands/reconcile.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const POLICY = { graceMs: 2 * 3_600_000, leaseMs: 60_000 };
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;
const HOUR = 3_600_000;
const key = (hash: string, createdMsAgo: number, role = 'write_agent'): ObservedKey => ({
  hash,
  role,
  createdAt: ago(createdMsAgo),
});
const stored = (hash: string, versionMsAgo?: number, replaced?: string) =>
  ({
    kind: 'key',
    hash,
    known: 'live',
    versionAt: versionMsAgo === undefined ? undefined : ago(versionMsAgo),
    replaced: replaced === undefined ? undefined : { hash: replaced, graceMs: POLICY.graceMs },
  }) as const;
const observe = (o: Partial<ObservedProject>): ObservedProject => ({
  project: 'alpha',
  intent: 'converge',
  stored: { kind: 'none' },
  live: [],
  ...o,
});

describe('reconcileProject', () => {
  const rows: {
    name: string;
    given: ObservedProject;
    want: Record<string, unknown>;
  }[] = [
    {
      name: 'nothing stored, nothing live: create',
      given: observe({}),
      want: { action: 'create', mint: true, revoke: [], retire: [], spare: [] },
    },
    {
      name: 'stored key live and alone: unchanged',
      given: observe({ stored: stored('S', 3 * HOUR), live: [key('S', 3 * HOUR)] }),
      want: { action: 'unchanged', mint: false, keep: 'S', revoke: [], retire: [], spare: [] },
    },
    {
      name: 'orphan older than the lease beside the stored key: revoked',
      given: observe({
        stored: stored('S', 3 * HOUR),
        live: [key('S', 3 * HOUR), key('O', 2 * MIN)],
      }),
      want: { action: 'unchanged', keep: 'S', revoke: ['O'], spare: [] },
    },
    {
      name: 'near miss: orphan younger than the lease (another run in flight): spared',
      given: observe({
        stored: stored('S', 3 * HOUR),
        live: [key('S', 3 * HOUR), key('O', 30_000)],
      }),
      want: {
        action: 'unchanged',
        revoke: [],
        spare: [{ hash: 'O', why: 'in flight', until: ago(-30_000) }],
      },
    },
    {
      name: 'a key of the label with another role: revoked whatever its age',
      given: observe({
        stored: stored('S', 3 * HOUR),
        live: [key('S', 3 * HOUR), key('R', 1_000, 'read_agent')],
      }),
      want: { revoke: ['R'], spare: [] },
    },
    {
      name: 'the replaced key within its grace: spared until version time + grace',
      given: observe({
        stored: stored('N', 30 * MIN, 'OLD'),
        live: [key('N', 31 * MIN), key('OLD', 5 * HOUR)],
      }),
      want: {
        action: 'unchanged',
        revoke: [],
        retire: [],
        spare: [{ hash: 'OLD', why: 'grace', until: ago(30 * MIN - 2 * HOUR) }],
      },
    },
    {
      name: 'near miss: the replaced key just past its grace: retired',
      given: observe({
        stored: stored('N', 2 * HOUR + 1, 'OLD'),
        live: [key('N', 2 * HOUR + 2), key('OLD', 5 * HOUR)],
      }),
      want: { action: 'unchanged', revoke: [], retire: ['OLD'], spare: [] },
    },
    {
      name: 'near miss: a key older than the stored version but not the recorded one: an orphan, revoked',
      given: observe({
        stored: stored('N', 10 * MIN, 'B'),
        live: [key('N', 11 * MIN), key('A', 5 * HOUR), key('B', 3 * HOUR)],
      }),
      want: { revoke: ['A'], retire: [], spare: [{ hash: 'B', why: 'grace' }] },
    },
    {
      name: 'stored key unknown to the server, old live key: replace and revoke it',
      given: observe({
        stored: { kind: 'key', hash: 'X', known: 'unknown' },
        live: [key('L', 3 * HOUR)],
      }),
      want: {
        action: 'replace',
        reason: 'stored key unknown to the server',
        mint: true,
        revoke: ['L'],
        revokesUnheld: true,
      },
    },
    {
      name: 'near miss: same, but the live key is seconds old (in flight): spared, not counted',
      given: observe({
        stored: { kind: 'key', hash: 'X', known: 'unknown' },
        live: [key('L', 5_000)],
      }),
      want: { action: 'replace', revoke: [], revokesUnheld: false, spare: [{ hash: 'L' }] },
    },
    {
      name: 'stored key revoked on the server: replace',
      given: observe({ stored: { kind: 'key', hash: 'X', known: 'revoked' } }),
      want: { action: 'replace', reason: 'stored key was revoked', revokesUnheld: false },
    },
    {
      name: 'stored value not a key: replace',
      given: observe({ stored: { kind: 'not_a_key' } }),
      want: { action: 'replace', reason: 'stored value is not a StemeDB key' },
    },
    {
      name: 'unread (no live key of the label): create',
      given: observe({ stored: { kind: 'unread' } }),
      want: { action: 'create', reason: 'no live key of the label', mint: true },
    },
    {
      name: 'rotate: the stored key stays through the grace, other keys go now',
      given: observe({
        intent: 'rotate',
        stored: stored('S', 3 * HOUR),
        live: [key('S', 3 * HOUR), key('OLD', 4 * HOUR)],
      }),
      want: {
        action: 'replace',
        mint: true,
        revoke: ['OLD'],
        spare: [{ hash: 'S', why: 'grace', until: ago(-2 * HOUR) }],
        remember: { hash: 'S', graceMs: 2 * HOUR },
      },
    },
    {
      name: 'off-board: every live key revoked, nothing minted',
      given: observe({ intent: 'offboard', live: [key('A', HOUR), key('B', 1_000)] }),
      want: { mint: false, revoke: ['A', 'B'] },
    },
  ];

  it.each(rows)('$name', ({ given, want }) => {
    expect(reconcileProject(given, NOW, POLICY)).toMatchObject(want);
  });

  it('rotate with grace 0 retires the stored key at once, once the new one is stored', () => {
    const decision = reconcileProject(
      observe({ intent: 'rotate', stored: stored('S', HOUR), live: [key('S', HOUR)] }),
      NOW,
      { ...POLICY, graceMs: 0 },
    );
    expect(decision).toMatchObject({ revoke: [], retire: ['S'], spare: [], remember: undefined });
  });
});
