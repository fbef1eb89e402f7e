const MS_PER_DAY = 86_400_000;
const ZERO = 48;

/**
 * Writes points as bytes straight into Buffers: the answer of a 1M-point read is 40-70 MB of
 * text, and building it as JavaScript strings (a template per point, concatenation, then UTF-8
 * encoding on the socket) costs seconds. Here each piece of at most CHUNK points is one Buffer:
 * the values are formatted by one `JSON.stringify` of a plain number array (V8's fast path, with
 * the same shortest round-trip digits as `String(x)`), the timestamps by integer arithmetic into
 * the bytes, and everything else is copied from constant byte templates.
 */
export const CHUNK = 4096;

export interface PointTemplate {
  /** Bytes before the timestamp of each point, e.g. `{"timestamp":"`. */
  beforeTime: Buffer;
  /** Bytes between the timestamp and the value, e.g. `","value":`. */
  betweenTimeAndValue: Buffer;
  /** Bytes after the value, e.g. `}`. */
  afterValue: Buffer;
  /** Bytes between two points, e.g. `,`. */
  separator: Buffer;
}

export const JSON_TEMPLATE: PointTemplate = {
  beforeTime: Buffer.from('{"timestamp":"'),
  betweenTimeAndValue: Buffer.from('","value":'),
  afterValue: Buffer.from('}'),
  separator: Buffer.from(','),
};

export const CSV_TEMPLATE: PointTemplate = {
  beforeTime: Buffer.alloc(0),
  betweenTimeAndValue: Buffer.from(','),
  afterValue: Buffer.from('\n'),
  separator: Buffer.alloc(0),
};

/** The longest ISO timestamp written (`YYYY-MM-DDTHH:MM:SS.mmmZ`) and the longest shortest-round-trip double. */
const TIME_BYTES = 24;
const VALUE_BYTES = 25;

export class PointWriter {
  private dayStart = NaN;
  /** The last timestamp written (`YYYY-MM-DDTHH:MM:SS.mmmZ`), its epoch ms, milliseconds and seconds. */
  private readonly stamp = Buffer.alloc(TIME_BYTES);
  private lastMs = NaN;
  private milli = 0;
  private second = 0;
  private scratch = Buffer.alloc(0);
  /** Whether the next point is the first of the answer (no separator before it). */
  private first: boolean;

  constructor(
    private readonly template: PointTemplate,
    first = true,
  ) {
    this.first = first;
  }

  /**
   * Points `indexes[from..to)` (or `from..to` directly when `indexes` is null) as one Buffer.
   * `timeAt(i)` is point i's epoch milliseconds (rounded to the millisecond here).
   */
  write(values: Float64Array, timeAt: (i: number) => number, indexes: Uint32Array | null, from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe((to - from) * this.maxBytesPerPoint());
    return out.subarray(0, this.writeInto(out, 0, values, timeAt, indexes, from, to));
  }

  /** The most bytes one point (with its separator) can take. */
  maxBytesPerPoint(): number {
    const { beforeTime, betweenTimeAndValue, afterValue, separator } = this.template;
    return separator.length + beforeTime.length + TIME_BYTES + betweenTimeAndValue.length + VALUE_BYTES + afterValue.length;
  }

  /**
   * Like write, into `out` from offset `o` (room for maxBytesPerPoint() a point), without
   * allocating an answer; returns the offset after the last byte written.
   */
  writeInto(out: Buffer, o: number, values: Float64Array, timeAt: (i: number) => number, indexes: Uint32Array | null, from: number, to: number): number {
    const count = to - from;
    const numbers = new Array<number>(count);
    for (let k = 0; k < count; k++) numbers[k] = values[indexes ? indexes[from + k] : from + k];
    const text = JSON.stringify(numbers);
    if (this.scratch.length < text.length) this.scratch = Buffer.allocUnsafe(text.length * 2);
    const scratch = this.scratch;
    const textLength = scratch.write(text, 0, 'latin1');

    const { beforeTime, betweenTimeAndValue, afterValue, separator } = this.template;
    let p = 1; // after '['
    for (let k = 0; k < count; k++) {
      if (this.first) this.first = false;
      else o = copy(separator, out, o);
      o = copy(beforeTime, out, o);
      o = this.writeTime(out, o, timeAt(indexes ? indexes[from + k] : from + k));
      o = copy(betweenTimeAndValue, out, o);
      let c = scratch[p];
      while (c !== 44 /* , */ && c !== 93 /* ] */) {
        out[o++] = c;
        c = scratch[++p];
      }
      p++;
      o = copy(afterValue, out, o);
    }
    if (p !== textLength) throw new Error('PointWriter: value text out of step');
    return o;
  }

  /**
   * Point timestamps are mostly a few milliseconds after the previous one (a uniform series is
   * start + i/rate): then only the millisecond digits (and, once a second, the seconds') change,
   * so they are advanced in `stamp` instead of formatting the whole timestamp again.
   */
  private writeTime(out: Buffer, o: number, epochMs: number): number {
    const ms = Math.round(epochMs);
    const step = ms - this.lastMs;
    if (!(step >= 0 && step < 1000 && this.advance(step))) this.format(ms);
    this.lastMs = ms;
    const stamp = this.stamp;
    for (let i = 0; i < TIME_BYTES; i++) out[o + i] = stamp[i];
    return o + TIME_BYTES;
  }

  /** Moves `stamp` forward by `step` (< 1000) ms; false when that crosses a minute (format it whole). */
  private advance(step: number): boolean {
    let milli = this.milli + step;
    const stamp = this.stamp;
    if (milli >= 1000) {
      const second = this.second + 1;
      if (second === 60) return false;
      milli -= 1000;
      this.second = second;
      stamp[17] = ZERO + ((second / 10) | 0);
      stamp[18] = ZERO + (second % 10);
    }
    this.milli = milli;
    stamp[20] = ZERO + ((milli / 100) | 0);
    stamp[21] = ZERO + (((milli / 10) | 0) % 10);
    stamp[22] = ZERO + (milli % 10);
    return true;
  }

  /** `stamp` for `ms` from scratch: the day through Date once per day, the time of day by integer arithmetic. */
  private format(ms: number): void {
    let rest = ms - this.dayStart;
    if (!(rest >= 0 && rest < MS_PER_DAY)) {
      this.dayStart = Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
      this.stamp.write(new Date(this.dayStart).toISOString().slice(0, 11), 0, 'latin1');
      rest = ms - this.dayStart;
    }
    // Within a day everything fits in 32 bits, where % and / are integer instructions, not fmod.
    rest |= 0;
    const milli = rest % 1000;
    rest = (rest / 1000) | 0;
    const second = rest % 60;
    rest = (rest / 60) | 0;
    const minute = rest % 60;
    const hour = (rest / 60) | 0;
    this.milli = milli;
    this.second = second;
    const stamp = this.stamp;
    stamp[11] = ZERO + ((hour / 10) | 0);
    stamp[12] = ZERO + (hour % 10);
    stamp[13] = 58; // :
    stamp[14] = ZERO + ((minute / 10) | 0);
    stamp[15] = ZERO + (minute % 10);
    stamp[16] = 58;
    stamp[17] = ZERO + ((second / 10) | 0);
    stamp[18] = ZERO + (second % 10);
    stamp[19] = 46; // .
    stamp[20] = ZERO + ((milli / 100) | 0);
    stamp[21] = ZERO + (((milli / 10) | 0) % 10);
    stamp[22] = ZERO + (milli % 10);
    stamp[23] = 90; // Z
  }
}

function copy(bytes: Buffer, out: Buffer, o: number): number {
  for (let i = 0; i < bytes.length; i++) out[o + i] = bytes[i];
  return o + bytes.length;
}
