import { createHttpClient } from './http/client.js';
import type { HttpClient } from './http/client.js';
import { createLoopMonitor, preciseNow } from './monitor.js';
import { createItemPool } from './scenario/pool.js';
import type { Item } from './scenario/pool.js';
import { createRandom } from './scenario/random.js';
import { createOperationPicker, prepareCreate, prepareOperation } from './scenario/operations.js';
import type { OperationMix, OperationName, PreparedRequest } from './scenario/operations.js';
import { createArrivals } from './schedule/arrivals.js';
import { createRateProfile } from './schedule/stages.js';
import type { Stage } from './schedule/stages.js';
import { createIntervalRecorder } from './stats/recorder.js';
import type { IntervalSnapshot, Outcome } from './stats/recorder.js';

/** Everything one generator thread needs; plain data so it can cross into a worker thread. */
export interface EngineConfig {
  target: string;
  model: 'open' | 'closed';
  stages: Stage[];
  initialRate: number;
  /** Global bound on arrivals (open) or requests (closed); Infinity for none. */
  maxRequests: number;
  /** This thread's arrival slot and the total number of slots (threads × shards). */
  slot: number;
  slots: number;
  /** Common start, epoch ms. */
  startAt: number;
  intervalMs: number;
  maxInFlight: number;
  /** Closed model: concurrent loops in this thread. */
  concurrency: number;
  connections: number;
  connectionTtlMs: number;
  timeoutMs: number;
  lateMs: number;
  /** Arrivals later than this (waiting for an in-flight slot) are dropped. */
  maxLagMs: number;
  mix: OperationMix;
  seed: number;
  items: Item[];
  namePrefix: string;
  /** GET /health requests sent before the start (not recorded) to open connections and warm up. */
  warmupRequests: number;
}

/** What a thread hands back when it is done. */
export interface EngineResult {
  items: Item[];
}

/** A running engine: resolves when the run is over and in-flight requests drained. */
export interface EngineHandle {
  done: Promise<EngineResult>;
  /** Ends the run early (like the end of the schedule). */
  stop(): void;
}

/** Injectable clock and timers, so scheduling can be tested with fake time. */
export interface EngineRuntime {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  createClient(target: string, connections: number, timeoutMs: number, ttlMs: number): HttpClient;
}

const defaultRuntime: EngineRuntime = {
  now: preciseNow,
  setTimer: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  createClient: (target, connections, timeoutMs, connectionTtlMs) => createHttpClient(target, { connections, timeoutMs, connectionTtlMs }),
};

/** How an operation's final status counts: success, conflict (409), a race of the generator's own, or error. */
export function outcomeOf(request: PreparedRequest, status: number): Outcome {
  if (status >= 200 && status < 400) return 'ok';
  if (request.isConflict?.(status) === true) return 'conflict';
  if (request.isRace?.(status) === true) return 'race';
  return 'error';
}

/**
 * Starts one generator thread: open model (arrivals on a schedule, never waiting for responses,
 * bounded in-flight) or closed model (N loops). Reports an {@link IntervalSnapshot} per interval.
 */
export function startEngine(config: EngineConfig, onInterval: (s: IntervalSnapshot) => void, runtime: EngineRuntime = defaultRuntime): EngineHandle {
  const now = (): number => runtime.now();
  const profile = createRateProfile(config.stages, config.initialRate);
  const endAt = config.startAt + profile.durationMs;
  const random = createRandom(config.seed, config.slot);
  const pool = createItemPool(config.items);
  const picker = createOperationPicker(config.mix);
  const recorder = createIntervalRecorder();
  const loop = createLoopMonitor();
  const client = runtime.createClient(config.target, config.connections, config.timeoutMs, config.connectionTtlMs);
  let counter = 0;
  const ctx = { pool, random, namePrefix: config.namePrefix, newName: () => `${config.namePrefix}${(counter++).toString(36)}` };

  let inFlight = 0;
  let stopped = false;
  let finished = false;
  let intervalIndex = 0;
  let intervalTimer: unknown;
  let resolveDone!: (r: EngineResult) => void;
  const done = new Promise<EngineResult>((r) => (resolveDone = r));

  // open the connections and let the HTTP parser and JIT warm up before the first arrival
  const warmup = async (): Promise<void> => {
    let left = config.warmupRequests;
    const lanes = Math.min(config.connections, left);
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (left > 0 && now() < config.startAt) {
          left--;
          await client.send('GET', '/health', undefined, false);
        }
      }),
    );
  };
  if (config.warmupRequests > 0) void warmup();

  const flushInterval = (): void => {
    onInterval(recorder.snapshot(intervalIndex, inFlight, loop.sample()));
    intervalIndex++;
  };
  const scheduleInterval = (): void => {
    const due = config.startAt + (intervalIndex + 1) * config.intervalMs;
    intervalTimer = runtime.setTimer(() => {
      flushInterval();
      if (!finished) scheduleInterval();
    }, due - now());
  };

  /** Runs one operation (one or more HTTP requests); returns the final status and outcome. */
  const execute = async (first: PreparedRequest): Promise<{ status: string; outcome: Outcome }> => {
    let req: PreparedRequest | undefined = first;
    for (;;) {
      const current: PreparedRequest = req;
      const res = await client.send(current.method, current.path, current.body, current.readBody);
      if (res.error !== undefined) return { status: res.error, outcome: 'error' };
      req = current.then?.(res.status, res.body);
      if (req === undefined) {
        return { status: String(res.status), outcome: outcomeOf(current, res.status) };
      }
    }
  };

  const fire = (scheduled: number, sentAt: number, onComplete: () => void): void => {
    let op: OperationName = picker.pick(random);
    let prepared = prepareOperation(op, config.mix[op] ?? { weight: 0 }, ctx);
    if (prepared === undefined) {
      // nothing known yet to read, update or delete: create something instead
      op = 'create';
      prepared = prepareCreate(ctx);
    }
    inFlight++;
    execute(prepared).then(
      ({ status, outcome }) => {
        const end = now();
        inFlight--;
        recorder.record(op, status, outcome, end - scheduled, end - sentAt);
        onComplete();
      },
      () => {
        inFlight--;
        onComplete();
      },
    );
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    const drainUntil = now() + config.timeoutMs;
    const waitDrain = (): void => {
      if (inFlight > 0 && now() < drainUntil) {
        runtime.setTimer(waitDrain, 5);
        return;
      }
      runtime.clearTimer(intervalTimer);
      flushInterval();
      loop.stop();
      void client.close().finally(() => resolveDone({ items: pool.items() }));
    };
    waitDrain();
  };

  if (config.model === 'open') {
    const arrivals = createArrivals(profile, config.slot, config.slots, config.maxRequests);
    let timer: unknown;
    let backlogged = false;
    const pump = (): void => {
      timer = undefined;
      if (stopped) {
        finish();
        return;
      }
      const t = now();
      if (t >= endAt) {
        // the schedule is over: arrivals still waiting for a slot are dropped, not sent late
        while (arrivals.index >= 0) {
          recorder.onDropped();
          arrivals.advance();
        }
      }
      for (;;) {
        if (arrivals.index < 0) {
          finish();
          return;
        }
        const scheduled = config.startAt + arrivals.time;
        if (scheduled > t) break;
        const lag = t - scheduled;
        if (lag > config.maxLagMs) {
          recorder.onDropped();
          arrivals.advance();
          continue;
        }
        if (inFlight >= config.maxInFlight) {
          backlogged = true;
          return; // a completion calls pump again
        }
        recorder.onSent(lag, config.lateMs, !backlogged);
        fire(scheduled, t, onComplete);
        arrivals.advance();
      }
      backlogged = false;
      const next = config.startAt + arrivals.time;
      timer = runtime.setTimer(pump, next - t);
    };
    const onComplete = (): void => {
      if (backlogged && timer === undefined && !finished) pump();
    };
    runtime.setTimer(() => {
      scheduleInterval();
      pump();
    }, config.startAt - now());
    // wake up at the end even while backlogged, to drop what could not be sent
    runtime.setTimer(() => {
      if (!finished && timer === undefined) pump();
    }, endAt - now());
    return {
      done,
      stop() {
        stopped = true;
        if (timer !== undefined) runtime.clearTimer(timer);
        if (!finished) pump();
      },
    };
  }

  // closed model: each loop sends, waits for the answer, sends again
  const perThread = Number.isFinite(config.maxRequests) ? Math.floor(config.maxRequests / config.slots) + (config.slot < config.maxRequests % config.slots ? 1 : 0) : Infinity;
  let started = 0;
  let active = 0;
  const next = (): void => {
    const t = now();
    if (stopped || t >= endAt || started >= perThread) {
      active--;
      if (active === 0) finish();
      return;
    }
    started++;
    recorder.onSent(0, config.lateMs, true);
    fire(t, t, next);
  };
  runtime.setTimer(() => {
    scheduleInterval();
    active = config.concurrency;
    for (let i = 0; i < config.concurrency; i++) next();
    if (config.concurrency === 0) finish();
  }, config.startAt - now());
  return {
    done,
    stop() {
      stopped = true;
    },
  };
}
