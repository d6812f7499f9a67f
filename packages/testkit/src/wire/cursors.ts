import { Long, calculateObjectSize, type Document } from 'bson';
import { CommandError, commandError } from './errors.js';

/** mongod's default size of a find's first batch. */
export const DEFAULT_FIRST_BATCH = 101;
const IDLE_MS = 10 * 60_000;
const GET_MORE_DEFAULT = 50_000;

interface OpenCursor {
  ns: string;
  docs: Document[];
  pos: number;
  lastUsed: number;
}

/** Open server-side cursors; results are materialised when the cursor opens. */
export class CursorRegistry {
  private nextId = 1;
  private readonly open = new Map<number, OpenCursor>();

  /**
   * Returns the reply's `cursor` document with the first batch; keeps a cursor open for the rest.
   * @param batchSize first batch size (undefined = mongod's default of 101)
   */
  first(ns: string, docs: Document[], batchSize: number | undefined, singleBatch: boolean): Document {
    const size = batchSize === undefined || batchSize <= 0 ? (batchSize === 0 ? 0 : DEFAULT_FIRST_BATCH) : batchSize;
    const end = batchEnd(docs, 0, size);
    if (end >= docs.length) return { firstBatch: docs, id: Long.ZERO, ns };
    if (singleBatch) return { firstBatch: docs.slice(0, end), id: Long.ZERO, ns };
    const id = this.nextId++;
    this.open.set(id, { ns, docs, pos: end, lastUsed: Date.now() });
    if (this.open.size > 1000) this.sweep();
    return { firstBatch: docs.slice(0, end), id: Long.fromNumber(id), ns };
  }

  /** Answers getMore: the next batch, closing the cursor when exhausted. */
  more(rawId: unknown, collection: unknown, batchSize: number | undefined): Document {
    const id = Number(rawId);
    const c = this.open.get(id);
    if (!c) throw commandError('CursorNotFound', `cursor id ${id} not found`);
    if (typeof collection === 'string' && !c.ns.endsWith(`.${collection}`)) {
      throw new CommandError(13, 'Unauthorized', `Requested getMore on namespace '${collection}', but cursor belongs to a different namespace ${c.ns}`);
    }
    const end = batchEnd(c.docs, c.pos, batchSize && batchSize > 0 ? batchSize : GET_MORE_DEFAULT);
    const nextBatch = c.docs.slice(c.pos, end);
    c.pos = end;
    c.lastUsed = Date.now();
    const done = c.pos >= c.docs.length;
    if (done) this.open.delete(id);
    return { nextBatch, id: done ? Long.ZERO : Long.fromNumber(id), ns: c.ns };
  }

  /** Closes cursors; returns which ids were killed and which were unknown. */
  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = Number(raw);
      (this.open.delete(id) ? killed : notFound).push(Long.fromNumber(id));
    }
    return { killed, notFound };
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const [id, c] of this.open) if (c.lastUsed < cutoff) this.open.delete(id);
  }
}

/** Largest batch payload, leaving room for the reply envelope under the 16 MiB BSON limit. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;

/** End index of a batch from `start`: at most `count` documents and MAX_BATCH_BYTES (at least one). */
function batchEnd(docs: Document[], start: number, count: number): number {
  const end = Math.min(docs.length, start + count);
  if (end - start <= 1) return end;
  let bytes = 0;
  for (let i = start; i < end; i++) {
    bytes += calculateObjectSize(docs[i] as Document) + 16;
    if (bytes > MAX_BATCH_BYTES) return Math.max(i, start + 1);
  }
  return end;
}
