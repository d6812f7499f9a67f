import { Buffer, isUtf8 } from 'node:buffer';
import { BSON } from 'mongodb';
import { isoDateTime, portfolioJson } from '../portfolio/portfolio-json.js';
import { toPortfolio, type PortfolioDocument } from './portfolio-document.js';

/** Largest |milliseconds| a Date holds (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

const enum Field {
  Other,
  Id,
  Name,
  DateCreated,
  Version,
}

/** Whether the element name at `start` spells `name` (ASCII), compared byte by byte. */
function nameIs(doc: Buffer, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (doc[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** Which of the four fields the element name at `start` (length `length`) is. */
function fieldAt(doc: Buffer, start: number, length: number): Field {
  switch (length) {
    case 3:
      return nameIs(doc, start, '_id') ? Field.Id : Field.Other;
    case 4:
      return nameIs(doc, start, 'name') ? Field.Name : Field.Other;
    case 7:
      return nameIs(doc, start, 'version') ? Field.Version : Field.Other;
    case 11:
      return nameIs(doc, start, 'dateCreated') ? Field.DateCreated : Field.Other;
    default:
      return Field.Other;
  }
}

/**
 * The JSON string of the UTF-8 bytes `from..to`: printable ASCII without `"` or `\` is written as
 * it is; anything else is validated, decoded and escaped by `JSON.stringify` (undefined for bytes
 * that are not UTF-8).
 */
function jsonString(doc: Buffer, from: number, to: number): string | undefined {
  for (let i = from; i < to; i++) {
    const b = doc[i]!;
    if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) {
      return isUtf8(doc.subarray(from, to)) ? JSON.stringify(doc.toString('utf8', from, to)) : undefined;
    }
  }
  return `"${doc.toString('latin1', from, to)}"`;
}

/** The JSON of a document the fast reader does not take: deserialized and rendered as `find` would return it. */
function slowPath(doc: Uint8Array): string {
  return portfolioJson(toPortfolio(BSON.deserialize(doc, { validation: { utf8: true } }) as PortfolioDocument));
}

/**
 * The API's JSON of one stored portfolio read straight from its BSON (a raw cursor's document):
 * no document object, no ObjectId, no Date. It reads the four fields of {@link PortfolioDocument}
 * in their usual types (ObjectId, UTF-8 string, UTC datetime, 32-bit int or double) and steps over
 * other fields of the simple types; a document with anything else (a field of another type, a
 * missing field, invalid UTF-8) is deserialized and rendered as a deserialized document would be,
 * so the text is the same either way.
 */
export function portfolioJsonFromBson(bytes: Uint8Array): string {
  const doc = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let id: string | undefined;
  let name: string | undefined; // as a JSON string
  let date: number | undefined;
  let version: number | undefined;
  try {
    const end = doc.readInt32LE(0) - 1;
    if (end !== doc.length - 1 || doc[end] !== 0) return slowPath(bytes);
    let at = 4;
    while (at < end) {
      const type = doc[at++];
      const keyStart = at;
      while (doc[at] !== 0) if (++at >= end) return slowPath(bytes);
      const field = fieldAt(doc, keyStart, at - keyStart);
      at++;
      switch (type) {
        case 0x01: // double
          if (field === Field.Version) version = doc.readDoubleLE(at);
          else if (field !== Field.Other) return slowPath(bytes);
          at += 8;
          break;
        case 0x02: {
          // string: int32 length (with the trailing NUL), bytes, NUL
          const length = doc.readInt32LE(at);
          const from = at + 4;
          const to = from + length - 1;
          if (length < 1 || to > end || doc[to] !== 0) return slowPath(bytes);
          if (field === Field.Name) {
            name = jsonString(doc, from, to);
            if (name === undefined) return slowPath(bytes);
          } else if (field !== Field.Other) return slowPath(bytes);
          at = to + 1;
          break;
        }
        case 0x07: // ObjectId
          if (field === Field.Id) id = doc.toString('hex', at, at + 12);
          else if (field !== Field.Other) return slowPath(bytes);
          at += 12;
          break;
        case 0x09: // UTC datetime: int64 milliseconds
          if (field === Field.DateCreated) date = doc.readInt32LE(at + 4) * 0x1_0000_0000 + doc.readUInt32LE(at);
          else if (field !== Field.Other) return slowPath(bytes);
          at += 8;
          break;
        case 0x10: // int32
          if (field === Field.Version) version = doc.readInt32LE(at);
          else if (field !== Field.Other) return slowPath(bytes);
          at += 4;
          break;
        case 0x08: // boolean
          if (field !== Field.Other) return slowPath(bytes);
          at += 1;
          break;
        case 0x0a: // null
          if (field !== Field.Other) return slowPath(bytes);
          break;
        case 0x11: // timestamp
        case 0x12: // int64
          if (field !== Field.Other) return slowPath(bytes);
          at += 8;
          break;
        default:
          return slowPath(bytes);
      }
    }
    if (at !== end) return slowPath(bytes);
  } catch {
    return slowPath(bytes);
  }
  if (id === undefined || name === undefined || date === undefined || version === undefined) return slowPath(bytes);
  if (!Number.isFinite(version) || Math.abs(date) > MAX_DATE_MS) return slowPath(bytes);
  return `{"portfolioId":"${id}","name":${name},"dateCreated":"${isoDateTime(date)}","version":${version}}`;
}
