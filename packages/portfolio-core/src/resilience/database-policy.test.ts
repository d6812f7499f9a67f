import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InternalError, NotFoundError, TimeoutError, UnavailableError, VersionConflictError } from '../errors.js';
import { createDatabasePolicy, type CircuitBreakerState, type RetryEvent } from './database-policy.js';

function networkError(): Error {
  const error = new Error('connection reset');
  error.name = 'MongoNetworkError';
  return error;
}

function duplicateKeyError(): Error {
  return Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('database policy: circuit breaker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens after 5 consecutive failures, rejects at once, half-opens after 30 s and closes after 3 successes', async () => {
    const policy = createDatabasePolicy();
    const states: CircuitBreakerState[] = [];
    const events: string[] = [];
    policy.onStateChange((s) => states.push(s));
    policy.onBreak(() => events.push('break'));
    policy.onHalfOpen(() => events.push('half-open'));
    policy.onReset(() => events.push('reset'));
    const failing = vi.fn(() => Promise.reject(new Error('boom')));

    for (let i = 0; i < 4; i += 1) {
      expect((await settle(policy.execute('op', 'write', failing))).ok).toBe(false);
    }
    expect(policy.state).toBe('closed');
    const fifth = await settle(policy.execute('op', 'write', failing));
    expect(fifth).toStrictEqual({ ok: false, error: expect.any(InternalError) as unknown });
    expect(policy.state).toBe('open');
    expect(failing).toHaveBeenCalledTimes(5);

    // Open: the call never reaches the database and needs no timer to fail.
    const work = vi.fn(() => Promise.resolve('value'));
    const rejected = await settle(policy.execute('op', 'read', work));
    expect(work).not.toHaveBeenCalled();
    expect(rejected.ok).toBe(false);
    const error = (rejected as { error: UnavailableError }).error;
    expect(error).toBeInstanceOf(UnavailableError);
    expect([error.reason, error.retryAfterMs]).toStrictEqual(['circuit-open', 30_000]);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(policy.retryAfterMs()).toBe(20_000);
    await vi.advanceTimersByTimeAsync(20_000);

    expect(await policy.execute('op', 'read', work)).toBe('value');
    expect(policy.state).toBe('half-open');
    expect(await policy.execute('op', 'read', work)).toBe('value');
    expect(policy.state).toBe('half-open');
    expect(await policy.execute('op', 'read', work)).toBe('value');
    expect(policy.state).toBe('closed');
    expect(states).toStrictEqual(['open', 'half-open', 'closed']);
    expect(events).toStrictEqual(['break', 'half-open', 'reset']);
  });

  it('reopens on a failure while half-open', async () => {
    const policy = createDatabasePolicy({ failureThreshold: 2, halfOpenAfterMs: 1000 });
    const fail = () => Promise.reject(new Error('down'));
    await settle(policy.execute('op', 'write', fail));
    await settle(policy.execute('op', 'write', fail));
    expect(policy.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1000);
    await policy.execute('op', 'write', () => Promise.resolve(1));
    expect(policy.state).toBe('half-open');
    await settle(policy.execute('op', 'write', fail));
    expect(policy.state).toBe('open');
    expect(policy.retryAfterMs()).toBe(1000);
  });

  it('lets exactly one trial call through while half-open and rejects the others at once', async () => {
    const policy = createDatabasePolicy({ failureThreshold: 1, halfOpenAfterMs: 1000, timeoutMs: 5000, readRetries: 0 });
    await settle(policy.execute('op', 'write', () => Promise.reject(new Error('down'))));
    expect(policy.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1000);

    // The database hangs: only the trial may wait for its timeout.
    const hanging = vi.fn(() => new Promise<never>(() => undefined));
    const calls = Array.from({ length: 8 }, (_, i) => settle(policy.execute('op', i % 2 === 0 ? 'read' : 'write', hanging)));
    const rejected: unknown[] = [];
    for (const call of calls.slice(1)) rejected.push(await call);
    expect(hanging).toHaveBeenCalledTimes(1);
    expect(rejected.map((r) => (r as { error: UnavailableError }).error.reason)).toStrictEqual(Array(7).fill('circuit-open'));
    expect((rejected[0] as { error: UnavailableError }).error.retryAfterMs).toBe(5000);

    await vi.advanceTimersByTimeAsync(5000);
    expect(await calls[0]).toStrictEqual({ ok: false, error: expect.any(TimeoutError) as unknown });
    expect(policy.state).toBe('open');

    // After the next wait the slot is free again; in the recovery window it is still one at a time.
    await vi.advanceTimersByTimeAsync(1000);
    let finish: (value: string) => void = () => undefined;
    const slow = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const trial = policy.execute('op', 'read', slow);
    expect(await settle(policy.execute('op', 'read', slow))).toMatchObject({ ok: false, error: { reason: 'circuit-open' } });
    finish('ok');
    expect(await trial).toBe('ok');
    expect(policy.state).toBe('half-open');
    const second = policy.execute('op', 'read', slow);
    expect(await settle(policy.execute('op', 'read', slow))).toMatchObject({ ok: false, error: { reason: 'circuit-open' } });
    finish('ok');
    expect(await second).toBe('ok');
    expect(slow).toHaveBeenCalledTimes(2);
  });

  it('does not count domain errors or duplicate keys as failures', async () => {
    const policy = createDatabasePolicy({ failureThreshold: 2 });
    const notFound = new NotFoundError('x');
    for (let i = 0; i < 5; i += 1) {
      expect(await settle(policy.execute('op', 'read', () => Promise.reject(notFound)))).toStrictEqual({
        ok: false,
        error: notFound,
      });
      await settle(policy.execute('op', 'write', () => Promise.reject(new VersionConflictError('x', 1, 2))));
      await settle(policy.execute('op', 'bulk', () => Promise.reject(duplicateKeyError())));
    }
    expect(policy.state).toBe('closed');
  });

  it('resets the failure count after a success', async () => {
    const policy = createDatabasePolicy({ failureThreshold: 3 });
    for (let i = 0; i < 5; i += 1) {
      await settle(policy.execute('op', 'write', () => Promise.reject(new Error('x'))));
      await settle(policy.execute('op', 'write', () => Promise.reject(new Error('x'))));
      await policy.execute('op', 'write', () => Promise.resolve());
    }
    expect(policy.state).toBe('closed');
  });

  it('a timed-out attempt is its caller\'s TIMEOUT, not a breaker failure, while the database is reachable', async () => {
    const policy = createDatabasePolicy({ timeoutMs: 100, failureThreshold: 1 });
    const pending = settle(policy.execute('findById', 'write', () => new Promise<never>(() => undefined)));
    await vi.advanceTimersByTimeAsync(99);
    expect(policy.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(1);
    const result = await pending;
    expect(result.ok).toBe(false);
    const error = (result as { error: TimeoutError }).error;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.operation, error.timeoutMs]).toStrictEqual(['findById', 100]);
    // One client's slow query: the breaker that protects everyone from a dead database stays closed.
    for (let i = 0; i < 5; i += 1) {
      const slow = settle(policy.execute('findAll', 'batch', () => new Promise<never>(() => undefined)));
      await vi.advanceTimersByTimeAsync(100);
      expect((await slow).ok).toBe(false);
    }
    expect(policy.state).toBe('closed');
    // The pool's wait queue running out and the server's own time limit are slowness too.
    const waitQueue = Object.assign(new Error('Timed out while checking out a connection from connection pool'), { name: 'MongoWaitQueueTimeoutError' });
    const maxTime = Object.assign(new Error('operation exceeded time limit'), { code: 50 });
    await settle(policy.execute('op', 'write', () => Promise.reject(waitQueue)));
    await settle(policy.execute('op', 'write', () => Promise.reject(maxTime)));
    expect(policy.state).toBe('closed');
    // A connection failure is a breaker failure.
    await settle(policy.execute('op', 'write', () => Promise.reject(networkError())));
    expect(policy.state).toBe('open');
  });

  it('counts timeouts once the driver no longer reaches the database', async () => {
    let reachable = true;
    const policy = createDatabasePolicy({ timeoutMs: 100, failureThreshold: 2, isDatabaseReachable: () => reachable });
    const hang = () => new Promise<never>(() => undefined);
    const timeOut = async (): Promise<void> => {
      const pending = settle(policy.execute('findById', 'write', hang));
      await vi.advanceTimersByTimeAsync(100);
      await pending;
    };
    await timeOut();
    await timeOut();
    expect(policy.state).toBe('closed');
    reachable = false;
    await timeOut();
    await timeOut();
    expect(policy.state).toBe('open');
  });

  it('a half-open trial that times out reopens the breaker (it does not close it)', async () => {
    const policy = createDatabasePolicy({ timeoutMs: 100, failureThreshold: 1, halfOpenAfterMs: 1000 });
    await settle(policy.execute('op', 'write', () => Promise.reject(networkError())));
    expect(policy.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1000);
    const trial = settle(policy.execute('op', 'write', () => new Promise<never>(() => undefined)));
    await vi.advanceTimersByTimeAsync(100);
    expect((await trial).ok).toBe(false);
    expect(policy.state).toBe('open');
  });

  it('retries a timed-out read like a transient error', async () => {
    const policy = createDatabasePolicy({ timeoutMs: 50, readRetries: 1, retryInitialDelayMs: 10 });
    const fn = vi
      .fn<() => Promise<string>>()
      .mockImplementationOnce(() => new Promise<never>(() => undefined))
      .mockResolvedValueOnce('second');
    const pending = policy.execute('findAll', 'read', fn);
    await vi.advanceTimersByTimeAsync(60);
    expect(await pending).toBe('second');
    expect(fn).toHaveBeenCalledTimes(2);
  });
});

describe('database policy: retries', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries idempotent reads after 1 s, 2 s and 4 s on transient errors', async () => {
    const policy = createDatabasePolicy({ failureThreshold: 10 });
    const retries: RetryEvent[] = [];
    policy.onRetry((e) => retries.push(e));
    const error = networkError();
    const fn = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(error)
      .mockRejectedValueOnce(error)
      .mockRejectedValueOnce(error)
      .mockResolvedValueOnce('done');
    const pending = policy.execute('search', 'read', fn);
    await vi.advanceTimersByTimeAsync(999);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(4000);
    expect(await pending).toBe('done');
    expect(fn).toHaveBeenCalledTimes(4);
    expect(retries).toStrictEqual([
      { operation: 'search', attempt: 1, delayMs: 1000, error },
      { operation: 'search', attempt: 2, delayMs: 2000, error },
      { operation: 'search', attempt: 3, delayMs: 4000, error },
    ]);
  });

  it('gives up after the configured retries with UNAVAILABLE', async () => {
    const policy = createDatabasePolicy({ readRetries: 2, retryInitialDelayMs: 10, failureThreshold: 10 });
    const fn = vi.fn(() => Promise.reject(networkError()));
    const pending = settle(policy.execute('findAll', 'read', fn));
    await vi.advanceTimersByTimeAsync(30);
    const result = await pending;
    expect(fn).toHaveBeenCalledTimes(3);
    expect((result as { error: UnavailableError }).error).toMatchObject({ code: 'UNAVAILABLE', reason: 'database' });
  });

  it('never retries a single write, and retries a bulk insert once', async () => {
    const policy = createDatabasePolicy({ failureThreshold: 10 });
    const write = vi.fn(() => Promise.reject(networkError()));
    const writeResult = await settle(policy.execute('insertOne', 'write', write));
    expect(write).toHaveBeenCalledTimes(1);
    expect((writeResult as { error: unknown }).error).toBeInstanceOf(UnavailableError);

    const bulk = vi.fn(() => Promise.reject(networkError()));
    const pending = settle(policy.execute('insertMany', 'bulk', bulk));
    await vi.advanceTimersByTimeAsync(1000);
    await pending;
    expect(bulk).toHaveBeenCalledTimes(2);
  });

  it('ends a timed-out bulk attempt the way the attempt decides: undone (TIMEOUT, retried) or past its point of no return (its outcome)', async () => {
    const policy = createDatabasePolicy({ timeoutMs: 500, bulkRetries: 1, retryInitialDelayMs: 100 });
    // Before its point of no return the attempt undoes itself and rejects with the signal's reason.
    const undoable = vi.fn(
      (signal: AbortSignal | undefined) =>
        new Promise<string>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true })),
    );
    const undone = settle(policy.execute('insertMany', 'bulk', undoable));
    await vi.advanceTimersByTimeAsync(500 + 100 + 500);
    expect(await undone).toStrictEqual({ ok: false, error: expect.any(TimeoutError) as unknown });
    expect(undoable).toHaveBeenCalledTimes(2);

    // Past it (a commit already sent) the attempt waits for the outcome, which the caller gets.
    const committing = vi.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve('committed'), 1200)));
    const committed = settle(policy.execute('insertMany', 'bulk', committing));
    await vi.advanceTimersByTimeAsync(1200);
    expect(await committed).toStrictEqual({ ok: true, value: 'committed' });
    expect(committing).toHaveBeenCalledTimes(1);
  });

  it('does not retry non-transient errors or domain errors', async () => {
    const policy = createDatabasePolicy();
    const fn = vi.fn(() => Promise.reject(new Error('bad query')));
    await settle(policy.execute('search', 'read', fn));
    const domain = vi.fn(() => Promise.reject(new NotFoundError('x')));
    await settle(policy.execute('findById', 'read', domain));
    expect([fn.mock.calls.length, domain.mock.calls.length]).toStrictEqual([1, 1]);
  });

  it('stops retrying when the breaker opens', async () => {
    const policy = createDatabasePolicy({ failureThreshold: 2 });
    const fn = vi.fn(() => Promise.reject(networkError()));
    const pending = settle(policy.execute('search', 'read', fn));
    await vi.advanceTimersByTimeAsync(1000);
    const result = await pending;
    expect(fn).toHaveBeenCalledTimes(2);
    expect((result as { error: UnavailableError }).error).toMatchObject({ reason: 'database', retryAfterMs: 30_000 });
    expect(policy.state).toBe('open');
  });

  it('validates its options', () => {
    expect(() => createDatabasePolicy({ failureThreshold: 0 })).toThrow(
      'Database policy option failureThreshold must be an integer >= 1, got 0',
    );
    expect(createDatabasePolicy({ timeoutMs: 250 }).options).toMatchObject({ timeoutMs: 250, failureThreshold: 5 });
    // Positive means at least 1: a breaker that half-opens at once, or needs no success to close, is no breaker.
    for (const name of ['failureThreshold', 'halfOpenAfterMs', 'successThreshold', 'timeoutMs'] as const) {
      expect(() => createDatabasePolicy({ [name]: 0 })).toThrow(`Database policy option ${name} must be an integer >= 1, got 0`);
      expect(() => createDatabasePolicy({ [name]: 1.5 })).toThrow(`Database policy option ${name} must be an integer >= 1, got 1.5`);
    }
    // Where 0 means something (no retries, retry at once) it is accepted; below it is not.
    expect(createDatabasePolicy({ readRetries: 0, bulkRetries: 0, retryInitialDelayMs: 0 }).options).toMatchObject({ readRetries: 0, bulkRetries: 0, retryInitialDelayMs: 0 });
    expect(() => createDatabasePolicy({ readRetries: -1 })).toThrow('Database policy option readRetries must be an integer >= 0, got -1');
  });
});
