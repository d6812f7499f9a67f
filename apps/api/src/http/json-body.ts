import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** Largest accepted request body: 1 MiB. */
export const MAX_BODY_BYTES = 1_048_576;

/** Bounds applied while reading and before parsing a JSON body. */
export interface JsonBodyLimits {
  /** Largest body in bytes. */
  readonly maxBytes: number;
  /** Deepest nesting of arrays and objects. */
  readonly maxDepth: number;
  /** Most values (array elements plus object members) in the whole document. */
  readonly maxValues: number;
  /** Most elements of a top-level array; beyond it parsing is skipped and the count reported. */
  readonly maxTopLevelItems: number;
}

/** Default bounds: portfolios nest three levels deep and bulk requests hold at most 100 items. */
export const DEFAULT_JSON_LIMITS: JsonBodyLimits = {
  maxBytes: MAX_BODY_BYTES,
  maxDepth: 32,
  maxValues: 20_000,
  maxTopLevelItems: 100,
};

/** Why a body could not be turned into a JSON value. */
export type JsonBodyProblem =
  | { readonly kind: 'too-large'; readonly bytes: number }
  | { readonly kind: 'too-many-items'; readonly items: number }
  | { readonly kind: 'unsupported-media-type'; readonly contentType: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'invalid-utf8' }
  | { readonly kind: 'too-deep'; readonly maxDepth: number }
  | { readonly kind: 'too-many-values'; readonly maxValues: number }
  | { readonly kind: 'invalid-json'; readonly message: string; readonly position: number };

/** Thrown by {@link readJsonBody}; each API surface turns it into its own contract response. */
export class JsonBodyError extends Error {
  override readonly name = 'JsonBodyError';
  constructor(readonly problem: JsonBodyProblem) {
    super(problem.kind);
  }
}

/** Returns true when an error is a {@link JsonBodyError}. */
export function isJsonBodyError(error: unknown): error is JsonBodyError {
  return error instanceof JsonBodyError;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads and parses a JSON request body within the given bounds: the size is checked from
 * Content-Length before reading and while streaming, nesting and value counts before parsing.
 * @throws JsonBodyError describing the first problem found.
 */
export async function readJsonBody(ctx: Context, limits: JsonBodyLimits = DEFAULT_JSON_LIMITS): Promise<unknown> {
  const contentType = ctx.get('content-type');
  // Checked on the header itself: ctx.is() also demands a length header, which HTTP/2 may omit.
  const type = ctx.request.type;
  if (contentType !== '' && type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new JsonBodyError({ kind: 'unsupported-media-type', contentType });
  }
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limits.maxBytes) {
    throw new JsonBodyError({ kind: 'too-large', bytes: declared });
  }
  let buffer: Buffer;
  try {
    buffer = await getRawBody(ctx.req, { limit: limits.maxBytes, length: declared });
  } catch (error) {
    const e = error as { type?: string; received?: number; length?: number; expected?: number };
    if (e.type === 'entity.too.large') {
      throw new JsonBodyError({ kind: 'too-large', bytes: e.length ?? e.received ?? limits.maxBytes + 1 });
    }
    throw error;
  }
  let text: string;
  try {
    text = decoder.decode(buffer);
  } catch {
    throw new JsonBodyError({ kind: 'invalid-utf8' });
  }
  if (text.trim() === '') throw new JsonBodyError({ kind: 'empty' });
  const shape = scanJson(text, limits);
  if (shape.topLevelItems > limits.maxTopLevelItems) {
    throw new JsonBodyError({ kind: 'too-many-items', items: shape.topLevelItems });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    throw new JsonBodyError({ kind: 'invalid-json', message, position: at ? Number(at[1]) : 0 });
  }
}

/** Structure found by {@link scanJson}. */
export interface JsonShape {
  /** Elements of the top-level array (0 when the document is not an array). */
  readonly topLevelItems: number;
}

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * One linear pass over the text that bounds nesting depth and value count and counts the
 * elements of a top-level array, without building anything. Syntax is left to JSON.parse.
 * @throws JsonBodyError when a bound is exceeded.
 */
export function scanJson(text: string, limits: Pick<JsonBodyLimits, 'maxDepth' | 'maxValues'>): JsonShape {
  let depth = 0;
  let values = 0;
  let inString = false;
  let topIsArray = false;
  let topCommas = 0;
  let topHasItem = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        if (depth === 1) topHasItem = true;
        break;
      case OPEN_ARRAY:
      case OPEN_OBJECT:
        if (depth === 0 && c === OPEN_ARRAY) topIsArray = true;
        if (depth === 1) topHasItem = true;
        depth++;
        if (depth > limits.maxDepth) throw new JsonBodyError({ kind: 'too-deep', maxDepth: limits.maxDepth });
        break;
      case CLOSE_ARRAY:
      case CLOSE_OBJECT:
        depth--;
        break;
      case COMMA:
        if (++values > limits.maxValues) throw new JsonBodyError({ kind: 'too-many-values', maxValues: limits.maxValues });
        if (depth === 1) topCommas++;
        break;
      case SPACE:
      case TAB:
      case LF:
      case CR:
        break;
      default:
        if (depth === 1) topHasItem = true;
    }
  }
  return { topLevelItems: topIsArray && topHasItem ? topCommas + 1 : 0 };
}
