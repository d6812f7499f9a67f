import type { DiagLogger } from '@opentelemetry/api';

/** Where rate-limited lines go. */
export type DiagSink = (level: 'error' | 'warn', message: string, suppressed: number) => void;

const MAX_KEYS = 200;

/**
 * Creates an OTel `DiagLogger` that writes each distinct message at most once per interval,
 * reporting how many repeats were suppressed, so a dead collector does not flood the log.
 */
export function createRateLimitedDiagLogger(sink: DiagSink, intervalMillis: number, now: () => number = Date.now): DiagLogger & { report(level: 'error' | 'warn', message: string): void } {
  const seen = new Map<string, { at: number; suppressed: number }>();
  const report = (level: 'error' | 'warn', message: string): void => {
    // Variable parts (ports, counts, durations) must not make a repeated failure look new.
    const key = message.replace(/\d+/g, '#').slice(0, 60);
    const t = now();
    const entry = seen.get(key);
    if (entry !== undefined && t - entry.at < intervalMillis) {
      entry.suppressed += 1;
      return;
    }
    if (entry === undefined && seen.size >= MAX_KEYS) seen.clear();
    seen.set(key, { at: t, suppressed: 0 });
    sink(level, message, entry?.suppressed ?? 0);
  };
  const format = (message: string, args: unknown[]): string =>
    [message, ...args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : safeJson(a)))].join(' ');
  const ignore = (): void => undefined;
  return {
    error: (message, ...args) => report('error', format(message, args)),
    warn: (message, ...args) => report('warn', format(message, args)),
    info: ignore,
    debug: ignore,
    verbose: ignore,
    report,
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
