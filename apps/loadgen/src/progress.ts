import type { IntervalRow } from './report/types.js';

/** Where progress goes: a writable with an optional TTY flag (stderr in the binary). */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Live progress display. */
export interface Progress {
  update(row: IntervalRow, stageLabel: string): void;
  warn(message: string): void;
  done(): void;
}

/** Formats one progress line from an interval row. */
export function formatProgressLine(row: IntervalRow, totalSec: number, stageLabel: string): string {
  const elapsed = row.t + 1;
  const errPct = row.requests > 0 ? ((row.errors / row.requests) * 100).toFixed(2) : '0.00';
  return (
    `[${elapsed.toFixed(0)}s/${totalSec.toFixed(0)}s] ${stageLabel} | target ${row.targetRate.toFixed(0)}/s` +
    ` achieved ${row.achievedRate.toFixed(0)}/s | in-flight ${row.inFlight} | p99 ${row.latency.p99.toFixed(1)}ms` +
    ` | errors ${row.errors} (${errPct}%) | late ${row.late} dropped ${row.dropped}`
  );
}

/**
 * Creates a progress display: on a TTY one line rewritten each interval, otherwise a plain line
 * every `plainEveryMs`; `none` prints nothing but warnings.
 */
export function createProgress(mode: 'auto' | 'tty' | 'plain' | 'none', sink: ProgressSink | undefined, totalSec: number, intervalMs: number, plainEveryMs = 5000): Progress {
  const effective = sink === undefined ? 'none' : mode === 'auto' ? (sink.isTTY === true ? 'tty' : 'plain') : mode;
  let lineOpen = false;
  let lastPlain = -Infinity;
  const closeLine = (): void => {
    if (lineOpen) sink?.write('\n');
    lineOpen = false;
  };
  return {
    update(row, stageLabel) {
      if (effective === 'none') return;
      const line = formatProgressLine(row, totalSec, stageLabel);
      if (effective === 'tty') {
        sink?.write(`\r\x1b[2K${line}`);
        lineOpen = true;
        return;
      }
      const t = (row.index + 1) * intervalMs;
      if (t - lastPlain >= plainEveryMs) {
        sink?.write(`${line}\n`);
        lastPlain = t;
      }
    },
    warn(message) {
      closeLine();
      sink?.write(`warning: ${message}\n`);
    },
    done() {
      closeLine();
    },
  };
}
