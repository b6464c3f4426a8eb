// What the figures were taken on: they mean little without it.

import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly commit: string;
  /** 1-minute load average when the run started and ended. */
  readonly loadStart: number;
  loadEnd?: number;
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit: commit(),
    loadStart: loadavg()[0]!,
  };
}

export function machineLine(machine: Machine): string {
  const load = `load ${machine.loadStart.toFixed(2)}${
    machine.loadEnd === undefined ? '' : ` → ${machine.loadEnd.toFixed(2)}`
  }`;
  return (
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
    `Node ${machine.node}, ${machine.platform}, commit ${machine.commit}, ${load}`
  );
}
