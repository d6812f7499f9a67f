import fc from 'fast-check';
import { BSON, Double, Int32, Long, ObjectId, Timestamp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isoDateTime } from '../portfolio/portfolio-json.js';
import { portfolioJsonFromBson } from './portfolio-bson-json.js';
import { toPortfolio, type PortfolioDocument } from './portfolio-document.js';

/** What the list returned before: the driver's document, mapped, then JSON.stringify (or the error it threw). */
function viaDocument(bytes: Uint8Array): string | { error: string } {
  try {
    return JSON.stringify(toPortfolio(BSON.deserialize(bytes, { validation: { utf8: true } }) as PortfolioDocument));
  } catch (error) {
    return { error: (error as Error).name };
  }
}

function viaBson(bytes: Uint8Array): string | { error: string } {
  try {
    return portfolioJsonFromBson(bytes);
  } catch (error) {
    return { error: (error as Error).name };
  }
}

const base = (): Record<string, unknown> => ({
  _id: ObjectId.createFromHexString('6b11ac943fb1f22d8c0fe457'),
  name: 'Growth "Fund"\n',
  dateCreated: new Date('2024-01-15T10:30:00.123Z'),
  version: 1,
});

// Values of each field: the usual types, the other numeric types, and types the reader does not take.
const anyValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer().map((n) => new Int32(n | 0)),
  fc.double().map((n) => new Double(n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
  fc.date(),
  fc.constant(new ObjectId()),
  fc.boolean(),
  fc.constant(null),
  fc.constant(new Timestamp({ t: 1, i: 2 })),
  fc.constant({ nested: [1, 'two'] }),
  fc.constant(new Uint8Array([1, 2, 3])),
);

describe('portfolioJsonFromBson', () => {
  it('writes what the document path writes for the usual documents', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        // Any text, and ASCII text (the usual name) with the characters JSON escapes.
        fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '-', '"', '\\', '/', '\t', '\u007f'), maxLength: 30 })),
        fc.integer({ min: -8.64e15, max: 8.64e15 }),
        fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => new Double(n))),
        (id, name, ms, version) => {
          const bytes = BSON.serialize({ _id: new ObjectId(id), name, dateCreated: new Date(ms), version });
          const json = viaBson(bytes);
          expect(json).toStrictEqual(viaDocument(bytes));
          expect(typeof json === 'string' && JSON.parse(json)).toBeTruthy();
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('writes what the document path writes (or fails as it fails) for any value in any field, extra fields, missing fields', () => {
    const field = fc.constantFrom('_id', 'name', 'dateCreated', 'version', 'nameLower', 'other', 'names', 'versio');
    fc.assert(
      fc.property(fc.dictionary(field, anyValue, { maxKeys: 6 }), fc.array(fc.constantFrom('_id', 'name', 'dateCreated', 'version')), (over, drop) => {
        const doc = { ...base(), ...over };
        for (const key of drop) delete doc[key];
        const bytes = BSON.serialize(doc);
        expect(viaBson(bytes)).toStrictEqual(viaDocument(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['the earliest date', new Date(-8.64e15)],
    ['the latest date', new Date(8.64e15)],
    ['a date before 1970', new Date('1969-07-20T20:17:40.000Z')],
    ['a date past year 9999', new Date('+010000-01-01T00:00:00.000Z')],
  ])('writes %s as the document path does', (_label, dateCreated) => {
    const bytes = BSON.serialize({ ...base(), dateCreated });
    expect(viaBson(bytes)).toStrictEqual(viaDocument(bytes));
  });

  it('writes a date beyond what a Date holds as the document path does (null)', () => {
    // A UTC datetime of int64 milliseconds past ±8.64e15: written by hand, no Date can hold it.
    const bytes = Buffer.from(BSON.serialize({ ...base(), dateCreated: new Date(0) }));
    const at = bytes.indexOf('dateCreated\0', 0, 'latin1') + 'dateCreated\0'.length;
    bytes.writeBigInt64LE(9_000_000_000_000_000n, at);
    expect(viaDocument(bytes)).toContain('"dateCreated":null');
    expect(viaBson(bytes)).toStrictEqual(viaDocument(bytes));
  });

  it('fails as the document path fails for a name that is not UTF-8', () => {
    const bytes = Buffer.from(BSON.serialize({ ...base(), name: 'ab' }));
    bytes[bytes.indexOf('ab\0', 0, 'latin1')] = 0xff;
    expect(viaDocument(bytes)).toStrictEqual({ error: 'BSONError' });
    expect(viaBson(bytes)).toStrictEqual(viaDocument(bytes));
  });

  it('reads a document inside a larger buffer (a raw cursor hands out slices of the reply)', () => {
    const doc = BSON.serialize(base());
    const reply = Buffer.concat([Buffer.from([9, 9, 9]), doc, Buffer.from([7, 7])]);
    const slice = new Uint8Array(reply.buffer, reply.byteOffset + 3, doc.length);
    expect(portfolioJsonFromBson(slice)).toBe(viaDocument(doc));
  });
});

describe('isoDateTime', () => {
  it('writes what Date#toISOString writes, over the whole range of a Date', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 })), (ms) => {
        expect(isoDateTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    0, -1, 1, 951_782_400_000 /* 2000-02-29 */, 4_107_542_400_000 /* 2100-03-01 */, -62_167_219_200_000 /* 0000-01-01 */,
    -62_167_219_200_001, 253_402_300_799_999 /* 9999-12-31T23:59:59.999 */, 253_402_300_800_000, 8.64e15, -8.64e15,
  ])('writes %d as Date#toISOString does', (ms) => {
    expect(isoDateTime(ms)).toBe(new Date(ms).toISOString());
  });
});
