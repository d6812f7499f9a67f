import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ConsumerStalledError, createJsonArrayStream, type BatchSource } from './json-array-stream.js';

/** A source of `batches` that counts what was asked of it. */
function sourceOf(batches: (readonly number[] | Error)[]) {
  const state = { asked: 0, closed: 0 };
  const source: BatchSource = {
    next() {
      const batch = batches[state.asked++];
      return batch instanceof Error ? Promise.reject(batch) : Promise.resolve(batch?.join(','));
    },
    close() {
      state.closed++;
      return Promise.resolve();
    },
  };
  return { source, state };
}

async function collect(stream: NodeJS.ReadableStream): Promise<{ text: string; error?: unknown }> {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  try {
    await pipeline(stream, sink);
    return { text };
  } catch (error) {
    return { text, error };
  }
}

describe('createJsonArrayStream', () => {
  it('writes one JSON array of every batch, then closes the source', async () => {
    const { source, state } = sourceOf([[3, 4], [5], []]);
    const { text, error } = await collect(createJsonArrayStream('1,2', source, 1000));
    expect([text, error]).toStrictEqual(['[1,2,3,4,5]', undefined]);
    expect(JSON.parse(text)).toStrictEqual([1, 2, 3, 4, 5]);
    expect(state.closed).toBe(1);
  });

  it('writes [] for an exhausted source', async () => {
    const { source } = sourceOf([]);
    expect(await collect(createJsonArrayStream(undefined, source, 1000))).toStrictEqual({ text: '[]' });
  });

  it('ends with the error and without the closing bracket when a later batch fails', async () => {
    const failure = new Error('getMore timed out');
    const { source, state } = sourceOf([[2], failure]);
    const { text, error } = await collect(createJsonArrayStream('1', source, 1000));
    expect([text, error]).toStrictEqual(['[1,2', failure]);
    expect(state.closed).toBe(1);
  });

  it('asks for the next batch only when the consumer has taken the bytes ahead of it', async () => {
    // About 100 KB of JSON per batch: more than the stream buffers ahead.
    const big = Array.from({ length: 20_000 }, (_, i) => i);
    const { source, state } = sourceOf([big, big]);
    const stream = createJsonArrayStream(big.join(','), source, 60_000);
    // The first batch is taken into the buffer; with nobody reading it, nothing more is fetched.
    stream.read(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([stream.readableLength > 64 * 1024, state.asked]).toStrictEqual([true, 0]);
    const { text } = await collect(stream);
    expect(state.asked).toBe(3);
    expect((JSON.parse(text) as number[]).length).toBe(60_000);
  });

  it('fails with ConsumerStalledError and closes the source when the consumer takes nothing within the stall bound', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => i);
    const { source, state } = sourceOf([big]);
    const stream = createJsonArrayStream(big.join(','), source, 50);
    stream.read(0);
    const failed = await new Promise<unknown>((resolve) => stream.once('error', resolve));
    expect(failed).toBeInstanceOf(ConsumerStalledError);
    expect((failed as ConsumerStalledError).code).toBe('ERR_CONSUMER_STALLED');
    expect(state.closed).toBe(1);
  });
});
