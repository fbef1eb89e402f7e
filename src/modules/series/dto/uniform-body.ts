/**
 * The uniform store form (`{"start": ..., "sampling_rate_hz": ..., "values": [numbers]}`) read
 * straight from the request's bytes: a 1M-value body is ~19 MB, and decoding it to a string then
 * `JSON.parse` of the whole costs about as much again as the rest of the store. Here the top-level
 * object is walked byte by byte, the `values` array is parsed in PIECE_BYTES pieces (each one
 * `JSON.parse` of a short one-byte string of numbers, V8's fast path) into a Float64Array, and the
 * rest of the object (with `values` swapped for `0`) is an ordinary small `JSON.parse`.
 *
 * Anything unusual (another form, escapes in keys, a non-number in `values`, a duplicate
 * `values`, invalid JSON anywhere) answers undefined: the caller then parses the body the usual
 * way, so every error stays the one the standard parser gives.
 */
export const PIECE_BYTES = 64 * 1024;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function skipSpace(raw: Buffer, i: number): number {
  let c = raw[i];
  while (c === SPACE || c === LF || c === CR || c === TAB) c = raw[++i];
  return i;
}

/** The index after the string starting at `i` (a quote), or -1. */
function skipString(raw: Buffer, i: number): number {
  i++;
  for (;;) {
    const end = raw.indexOf(QUOTE, i);
    if (end === -1) return -1;
    // Escaped when preceded by an odd number of backslashes.
    let slashes = 0;
    while (raw[end - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end + 1;
    i = end + 1;
  }
}

/** The index after the JSON value starting at `i` (not validated: JSON.parse does that later), or -1. */
function skipValue(raw: Buffer, i: number): number {
  let depth = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i];
    if (c === QUOTE) {
      i = skipString(raw, i);
      if (i === -1) return -1;
      if (depth === 0) return i;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && (c === COMMA || c === SPACE || c === LF || c === CR || c === TAB)) return i;
    i++;
  }
  return depth === 0 ? i : -1;
}

/** Pieces of a `values` array parsed while the body arrived: raw[from, to) (to is just after a comma). */
export interface EarlyPieces {
  from: number;
  to: number;
  parts: number[][];
}

/** The numbers of raw[start, end) (array elements without the brackets), or undefined. */
function parsePiece(raw: Buffer, start: number, end: number): number[] | undefined {
  let piece: unknown;
  try {
    piece = JSON.parse(`[${raw.toString('latin1', start, end)}]`);
  } catch {
    return undefined;
  }
  const numbers = piece as unknown[];
  for (let k = 0; k < numbers.length; k++) if (typeof numbers[k] !== 'number') return undefined;
  return numbers as number[];
}

/** The numbers of the array text raw[from, to) (between the brackets), or undefined. */
function parseNumbers(raw: Buffer, from: number, to: number, early?: EarlyPieces): Float64Array | undefined {
  const parts: number[][] = [];
  let total = 0;
  let start = from;
  if (early && early.from === from && early.to <= to && early.parts.length > 0) {
    for (const part of early.parts) {
      parts.push(part);
      total += part.length;
    }
    start = early.to;
    // The last early piece ended on a comma: something other than space must follow it.
    if (skipSpace(raw, start) >= to) return undefined;
  }
  while (start < to) {
    let end = Math.min(to, start + PIECE_BYTES);
    if (end < to) {
      end = raw.indexOf(COMMA, end);
      if (end === -1 || end > to) end = to;
    }
    const numbers = parsePiece(raw, start, end);
    if (!numbers) return undefined;
    parts.push(numbers);
    total += numbers.length;
    // Skip the comma between two pieces; a piece ending on a comma means an empty element.
    start = end + 1;
    if (end < to && skipSpace(raw, start) >= to) return undefined;
  }
  const out = new Float64Array(total);
  let o = 0;
  for (const part of parts) {
    for (let k = 0; k < part.length; k++) out[o + k] = part[k];
    o += part.length;
  }
  return out;
}

/** The body with `values` as a Float64Array, or undefined to parse it the standard way. */
export function parseUniformBody(raw: Buffer, early?: EarlyPieces): Record<string, unknown> | undefined {
  let i = skipSpace(raw, 0);
  if (raw[i] !== OPEN_BRACE) return undefined;
  i = skipSpace(raw, i + 1);
  let valuesFrom = -1;
  let valuesTo = -1;
  let numbers: Float64Array | undefined;
  if (raw[i] === CLOSE_BRACE) return undefined;
  for (;;) {
    if (raw[i] !== QUOTE) return undefined;
    const keyEnd = skipString(raw, i);
    if (keyEnd === -1) return undefined;
    const key = raw.toString('latin1', i + 1, keyEnd - 1);
    if (key.includes('\\')) return undefined;
    i = skipSpace(raw, keyEnd);
    if (raw[i] !== COLON) return undefined;
    i = skipSpace(raw, i + 1);
    if (key === 'values') {
      if (valuesFrom !== -1 || raw[i] !== OPEN_BRACKET) return undefined;
      const close = raw.indexOf(CLOSE_BRACKET, i);
      if (close === -1) return undefined;
      const inner = skipSpace(raw, i + 1);
      numbers = inner === close ? new Float64Array(0) : parseNumbers(raw, i + 1, close, early);
      if (!numbers) return undefined;
      valuesFrom = i;
      valuesTo = close + 1;
      i = valuesTo;
    } else {
      i = skipValue(raw, i);
      if (i === -1) return undefined;
    }
    i = skipSpace(raw, i);
    if (raw[i] === COMMA) {
      i = skipSpace(raw, i + 1);
      continue;
    }
    if (raw[i] !== CLOSE_BRACE) return undefined;
    break;
  }
  if (skipSpace(raw, i + 1) !== raw.length || !numbers) return undefined;
  let rest: unknown;
  try {
    rest = JSON.parse(`${raw.toString('utf8', 0, valuesFrom)}0${raw.toString('utf8', valuesTo)}`);
  } catch {
    return undefined;
  }
  if (typeof rest !== 'object' || rest === null || Array.isArray(rest)) return undefined;
  const body = rest as Record<string, unknown>;
  if (body.values !== 0) return undefined;
  body.values = numbers;
  return body;
}

const VALUES_KEY = Buffer.from('"values"');

/**
 * The body parser's reader for the series route (BodyLimit.parseJson): copies the chunks into one
 * buffer of the declared length as they arrive and parses the `values` array's complete pieces
 * meanwhile, so most of the parsing overlaps receiving. Where it guessed `values` starts is only a
 * guess (the first `"values"` followed by `:` and `[`): parseUniformBody uses the early pieces only
 * when its own walk finds the array at that very place, so a wrong guess costs time, not results.
 */
export class UniformBodyReader {
  private readonly buffer: Buffer | undefined;
  private received = 0;
  private early: EarlyPieces | undefined;
  private stopped = false;

  constructor(declaredLength: number | undefined, maxBytes: number) {
    this.buffer = declaredLength !== undefined && declaredLength > PIECE_BYTES && declaredLength <= maxBytes ? Buffer.allocUnsafe(declaredLength) : undefined;
  }

  push(chunk: Buffer): void {
    const buffer = this.buffer;
    if (!buffer || this.stopped) return;
    if (this.received + chunk.length > buffer.length) {
      this.stopped = true;
      return;
    }
    chunk.copy(buffer, this.received);
    this.received += chunk.length;
    const raw = buffer.subarray(0, this.received);
    if (!this.early) {
      const key = raw.indexOf(VALUES_KEY);
      if (key === -1) {
        if (this.received > PIECE_BYTES) this.stopped = true;
        return;
      }
      let i = skipSpace(raw, key + VALUES_KEY.length);
      if (i >= raw.length) return;
      if (raw[i] !== COLON) return void (this.stopped = true);
      i = skipSpace(raw, i + 1);
      if (i >= raw.length) return;
      if (raw[i] !== OPEN_BRACKET) return void (this.stopped = true);
      this.early = { from: i + 1, to: i + 1, parts: [] };
    }
    const early = this.early;
    while (raw.length - early.to >= 2 * PIECE_BYTES) {
      const end = raw.indexOf(COMMA, early.to + PIECE_BYTES);
      if (end === -1) return;
      // The array ends inside this piece (or holds something else): the last pieces are parse's.
      if (raw.subarray(early.to, end).includes(CLOSE_BRACKET)) return void (this.stopped = true);
      const numbers = parsePiece(raw, early.to, end);
      if (!numbers) return void (this.stopped = true);
      early.parts.push(numbers);
      early.to = end + 1;
    }
  }

  parse(body: Buffer): unknown {
    const early = this.buffer && this.received === body.length ? this.early : undefined;
    return parseUniformBody(body, early);
  }
}
