/**
 * The progress of provision and rotate: a bar on a terminal (stderr) only (STYLE.md practice
 * 12), and not with `NO_COLOR` or `TERM=dumb`, whose users ask for plain output (a bar redraws
 * with control characters); in a pipe or a log, one plain line every 10 s (progress-lines.ts).
 * cli-progress is loaded only when a bar shows.
 */
import { type Io, useColour } from './io.js';
import { startProgressLines } from './progress-lines.js';

/** A progress reporter; `update` is called after each project. */
export interface Progress {
  update(done: number, total: number, failed?: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/**
 * A bar on stderr when it is a terminal (it appears at the first update); lines every
 * `io.progressIntervalMs` when it is not; nothing on a terminal that asks for plain output.
 */
export async function startProgress(io: Io, label: string): Promise<Progress> {
  if (io.stderr.isTTY !== true) return startProgressLines(io.stderr, label, io.progressIntervalMs);
  if (!useColour(io.stderr, io.env)) return NONE;
  const { default: cliProgress } = await import('cli-progress');
  let bar: InstanceType<typeof cliProgress.SingleBar> | undefined;
  return {
    update(done, total) {
      if (bar === undefined) {
        bar = new cliProgress.SingleBar(
          {
            format: `${label} [{bar}] {value}/{total} projects`,
            stream: io.stderr as NodeJS.WritableStream,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
