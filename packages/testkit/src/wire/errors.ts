import type { Document } from 'bson';

/** A command failure answered as `{ok: 0, errmsg, code, codeName}` (plus labels and extra fields). */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly errorLabels: string[] = [],
    readonly extra: Document = {},
  ) {
    super(message);
  }

  /** The reply document mongod would send for this error. */
  toReply(): Document {
    const reply: Document = { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
    if (this.errorLabels.length > 0) reply.errorLabels = this.errorLabels;
    return reply;
  }
}

/** A duplicate key on a unique index, reported as a write error (or a command error outside writes). */
export class DuplicateKeyError extends CommandError {
  constructor(ns: string, indexName: string, keyPattern: Document, keyValue: Document) {
    const shown = Object.entries(keyValue)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ');
    super(11000, 'DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`, [], {
      keyPattern,
      keyValue,
    });
  }

  /** The entry for a `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/** Error codes used by the server, as in mongod's error_codes.yml. */
export const codes = {
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  InvalidNamespace: 73,
  Location40352: 40352,
} as const;

/** Shorthand for a CommandError whose codeName is the key in `codes`. */
export function commandError(codeName: keyof typeof codes, message: string, errorLabels?: string[]): CommandError {
  return new CommandError(codes[codeName], codeName, message, errorLabels);
}
