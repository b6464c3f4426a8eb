/**
 * The progress bar of persist and flush: on a terminal (stderr) only, never in a pipe, a CI
 * log or with `TERM=dumb` (STYLE.md practice 12). cli-progress is loaded only when a bar can
 * be shown. One bar per scan: it restarts when the run moves on to the next scan.
 */
import type { PersistProgress } from '../persist/results.js';
import type { Io } from './io.js';

/** A progress reporter fed by `onProgress`. */
export interface Progress {
  readonly onProgress: ((progress: PersistProgress) => void) | undefined;
  stop(): void;
}

const NONE: Progress = { onProgress: undefined, stop() {} };

/** True when a bar may be drawn on `io.stderr`. */
export function showsProgress(io: Io): boolean {
  return io.stderr.isTTY === true && io.env.TERM !== 'dumb';
}

/** A bar on stderr when it is a terminal, else nothing. */
export async function startProgress(io: Io): Promise<Progress> {
  if (!showsProgress(io)) return NONE;
  const { default: cliProgress } = await import('cli-progress');
  let bar: InstanceType<typeof cliProgress.SingleBar> | undefined;
  let scanId: string | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    onProgress(p) {
      if (p.scanId !== scanId) {
        stop();
        scanId = p.scanId;
        bar = new cliProgress.SingleBar(
          {
            format: `${p.phase === 'flush' ? 'flush  ' : 'persist'} ${p.scanId.slice(0, 8)} [{bar}] {value}/{total} assertions`,
            stream: io.stderr as NodeJS.WritableStream,
            hideCursor: true,
            clearOnComplete: true,
            // No colour is used by the bar, so NO_COLOR needs nothing more here.
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done);
      }
      bar?.update(p.done);
    },
    stop,
  };
}
