// Interleaving: each round starts the targets afresh (the emulator keeps every assertion it is
// sent) and runs every (client, concurrency) cell once, in an order rotated by the round so that
// the starting points spread evenly over the list and no cell always runs first or last; slow
// drift in machine noise then lands on all of them alike, and the report shows medians.

import { runLoad, startTarget } from './processes.js';
import type { TargetName } from './protocol.js';
import type { Sample } from './stats.js';

export interface Cell {
  readonly client: string;
  readonly concurrency: number;
}

export interface RoundsPlan {
  readonly rounds: number;
  readonly targets: readonly TargetName[];
  readonly cells: readonly Cell[];
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Where to write one CPU profile per measurement, if anywhere. */
  readonly profileDir?: string | undefined;
  /** Called after each measurement, for progress on stderr. */
  readonly onSample?: (sample: Sample, done: number, total: number) => void;
}

/** `cells` rotated left by `by`. */
function rotate<T>(cells: readonly T[], by: number): T[] {
  const k = cells.length === 0 ? 0 : by % cells.length;
  return [...cells.slice(k), ...cells.slice(0, k)];
}

export async function runRounds(plan: RoundsPlan): Promise<Sample[]> {
  const samples: Sample[] = [];
  const total = plan.rounds * plan.targets.length * plan.cells.length;
  const stride = Math.max(1, Math.ceil(plan.cells.length / plan.rounds));
  for (let round = 0; round < plan.rounds; round += 1) {
    for (const name of plan.targets) {
      const running = await startTarget(name);
      try {
        for (const cell of rotate(plan.cells, round * stride)) {
          const result = await runLoad(
            {
              client: cell.client,
              target: running.target,
              concurrency: cell.concurrency,
              warmupMs: plan.warmupMs,
              durationMs: plan.durationMs,
            },
            {
              profile:
                plan.profileDir === undefined
                  ? undefined
                  : {
                      dir: plan.profileDir,
                      name: `${name}-${cell.client}-c${cell.concurrency}-r${round + 1}`,
                    },
            },
          );
          const sample: Sample = { ...result, round };
          samples.push(sample);
          plan.onSample?.(sample, samples.length, total);
        }
      } finally {
        await running.stop();
      }
    }
  }
  return samples;
}
