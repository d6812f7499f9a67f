import { Readable } from 'node:stream';

/** Where the items come from: batches read on demand, then released. */
export interface BatchSource {
  /**
   * The next batch as JSON: its items separated by commas (the inside of a JSON array, `''` for an
   * empty batch), or `undefined` once there is none.
   */
  next(): Promise<string | undefined>;
  /** Releases the source (e.g. a database cursor); called once the stream ends, fails or is abandoned. */
  close(): Promise<void>;
}

/** The consumer (the client) read nothing for longer than the stall bound. */
export class ConsumerStalledError extends Error {
  override readonly name = 'ConsumerStalledError';
  /** A code of its own, so the request log can tell it is the client's doing. */
  readonly code = 'ERR_CONSUMER_STALLED';
  constructor(readonly stallMs: number) {
    super(`the client read nothing for ${stallMs} ms`);
  }
}

/** Bytes buffered ahead of the consumer before the next batch is asked for (one batch is about 100 KB). */
const HIGH_WATER_MARK = 64 * 1024;

/**
 * A byte stream of one JSON array, `[` batch `,` batch … `]`, read from `source` a batch at a time
 * and only as fast as the consumer takes it: a batch is asked for when the bytes ahead of the
 * consumer have drained, so memory holds about one batch whatever the array's length.
 *
 * A failure of the source ends the stream with that error before the closing `]`: piped into a
 * response, the response is destroyed and the client sees a broken body, never a shorter valid
 * array. A consumer that takes nothing for `stallMs` fails it with {@link ConsumerStalledError}.
 * The source is closed however the stream ends.
 * @param first the first batch, already read (so that a failure before any byte is an ordinary error response)
 */
export function createJsonArrayStream(first: string | undefined, source: BatchSource, stallMs: number): Readable {
  let started = false;
  let firstBatch: string | undefined | null = first;
  let stall: NodeJS.Timeout | undefined;
  const fail = (error: unknown): void => {
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  const deliver = (batch: string | undefined): void => {
    if (stream.destroyed) return;
    if (batch === undefined) {
      stream.push(started ? ']' : '[]');
      stream.push(null);
      return;
    }
    if (batch === '') {
      fetch();
      return;
    }
    // Waiting for the consumer from here: if it never asks again, the stall bound ends the stream.
    stall = setTimeout(() => stream.destroy(new ConsumerStalledError(stallMs)), stallMs);
    stall.unref();
    stream.push(started ? `,${batch}` : `[${batch}`);
    started = true;
  };
  const fetch = (): void => {
    source.next().then(deliver, fail);
  };

  const stream = new Readable({
    highWaterMark: HIGH_WATER_MARK,
    read() {
      clearTimeout(stall);
      if (firstBatch === null) {
        fetch();
        return;
      }
      const batch = firstBatch;
      firstBatch = null;
      deliver(batch);
    },
    destroy(error, callback) {
      clearTimeout(stall);
      source.close().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  return stream;
}
