import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ensureContextManager } from '../logging/request-context.js';
import { createMongoStatementSerializer, MAX_STATEMENT_LENGTH, summarizeMongoCommand } from './mongo-statement.js';

describe('summarizeMongoCommand', () => {
  it('keeps command, collection and filter/sort keys but no values', () => {
    const cmd = { find: 'portfolio', filter: { _id: new ObjectId(), name: { $regex: 'secret' } }, sort: { name: 1 }, limit: 10, lsid: { id: 'x' } };
    expect(summarizeMongoCommand(cmd)).toBe('{"find":"portfolio","filter":{"_id":"?","name":{"$regex":"?"}},"sort":{"name":"?"}}');
  });

  it('reports only the length of documents, updates and deletes', () => {
    const documents = Array.from({ length: 100 }, (_, i) => ({ _id: new ObjectId(), name: `p${String(i)}` }));
    expect(summarizeMongoCommand({ insert: 'portfolio', documents, ordered: true })).toBe('{"insert":"portfolio","documents":"[100]"}');
    // The driver sends bulk inserts as a document sequence object rather than an array.
    const sequence = { field: 'documents', documents, chunks: [] };
    expect(summarizeMongoCommand({ insert: 'portfolio', documents: sequence })).toBe('{"insert":"portfolio","documents":"[100]"}');
    const updates = [{ q: { _id: 1 }, u: { $set: { name: 'secret' } } }];
    expect(summarizeMongoCommand({ update: 'portfolio', updates })).toBe('{"update":"portfolio","updates":"[1]"}');
    expect(summarizeMongoCommand({ delete: 'portfolio', deletes: [{ q: { _id: 1 } }, { q: { _id: 2 } }] })).toBe('{"delete":"portfolio","deletes":"[2]"}');
  });

  it('keeps the shape of $or sub-filters and collapses $in value lists', () => {
    const cmd = { count: 'portfolio', query: { $or: [{ a: 1 }, { b: { $in: [1, 2, 3] } }] } };
    expect(summarizeMongoCommand(cmd)).toBe('{"count":"portfolio","query":{"$or":[{"a":"?"},{"b":{"$in":"?"}}]}}');
  });

  it('reports a bare document (an insert as the driver hands it over) by its keys only', () => {
    expect(summarizeMongoCommand({ name: 'secret', _id: new ObjectId() })).toBe('{"name":"?","_id":"?"}');
  });

  it('bounds length and work for huge filters', () => {
    const filter = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${String(i)}`, i]));
    const text = summarizeMongoCommand({ find: 'portfolio', filter });
    expect(text.length).toBe(MAX_STATEMENT_LENGTH);
    expect(text.endsWith('…')).toBe(true);
    expect(text.startsWith('{"find":"portfolio","filter":{"f0":"?","f1":"?"')).toBe(true);
    // The walk stops after a fixed number of keys: no key past the budget is even looked at.
    let visited = 0;
    const counting = new Proxy(filter, { ownKeys: (t) => Reflect.ownKeys(t), get: (t, k): unknown => ((visited += 1), Reflect.get(t, k) as unknown) });
    summarizeMongoCommand({ find: 'portfolio', filter: counting });
    expect(visited).toBeLessThanOrEqual(64);
  });
});

describe('createMongoStatementSerializer', () => {
  const spanContext = (flags: TraceFlags): SpanContext => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: flags });
  const cmd = { find: 'portfolio', filter: { _id: 1 } };

  it('skips the work under an unsampled parent and summarises under a sampled one', () => {
    ensureContextManager();
    const serialize = createMongoStatementSerializer({ skipUnsampled: true });
    // A NonRecordingSpan never records, whatever its flags: it stands for the unsampled request span.
    const unsampled = trace.setSpanContext(context.active(), spanContext(TraceFlags.NONE));
    expect(context.with(unsampled, () => serialize(cmd))).toBe('');
    const recording = trace.setSpan(context.active(), Object.assign(trace.wrapSpanContext(spanContext(TraceFlags.SAMPLED)), { isRecording: () => true }));
    expect(context.with(recording, () => serialize(cmd))).toBe('{"find":"portfolio","filter":{"_id":"?"}}');
  });

  it('always summarises when not told to skip', () => {
    const serialize = createMongoStatementSerializer({ skipUnsampled: false });
    expect(serialize(cmd)).toBe('{"find":"portfolio","filter":{"_id":"?"}}');
  });
});
