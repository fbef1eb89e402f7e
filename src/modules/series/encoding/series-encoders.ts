import { CHUNK, CSV_TEMPLATE, JSON_TEMPLATE, PointTemplate, PointWriter } from './point-writer';

/** The points a read answers: timestamps and values, and which indexes of them (a window or a sample). */
export interface PointSource {
  /** Epoch ms of point i (implicit for uniform series). */
  timeAt: (index: number) => number;
  values: Float64Array;
  /** Ascending indexes into `values`, or a contiguous [from, to) range. */
  indexes: Uint32Array | { from: number; to: number };
  /**
   * What `timeAt` computes, as data another thread can be given: the stored timestamps, or a
   * uniform series' start and rate (point i is at `startMs + ((offset + i) * 1000) / rate`).
   */
  times?: PointTimes;
}

export type PointTimes = Float64Array | { startMs: number; rate: number; offset: number };

/** `timeAt` for `times`, the same arithmetic as the service's, so every thread writes the same digits. */
export function timeAtOf(times: PointTimes): (index: number) => number {
  if (times instanceof Float64Array) return (i) => times[i];
  const { startMs, rate, offset } = times;
  return (i) => startMs + ((offset + i) * 1000) / rate;
}

function* pieces(source: PointSource, template: PointTemplate): Generator<Buffer> {
  const writer = new PointWriter(template);
  const { values, timeAt, indexes } = source;
  const list = indexes instanceof Uint32Array ? indexes : null;
  const from = list ? 0 : (indexes as { from: number }).from;
  const to = list ? list.length : (indexes as { to: number }).to;
  for (let k = from; k < to; k += CHUNK) yield writer.write(values, timeAt, list, k, Math.min(to, k + CHUNK));
}

/**
 * The `points` array's content as JSON bytes, in pieces. Values keep JavaScript's shortest
 * round-trip digits (`0.1` stays `0.1`, `1e-300` stays `1e-300`); see PointWriter for why bytes.
 */
export function jsonPoints(source: PointSource): Generator<Buffer> {
  return pieces(source, JSON_TEMPLATE);
}

/** CSV lines `timestamp,value\n`, in pieces (the header is the caller's). */
export function csvPoints(source: PointSource): Generator<Buffer> {
  return pieces(source, CSV_TEMPLATE);
}

/**
 * `application/octet-stream`: count float64 timestamps (epoch ms) then count float64 values, both
 * little-endian, no header (the count is `X-Series-Count`, and length / 16).
 */
export function binaryPoints(source: PointSource): Buffer {
  const { indexes, values, timeAt } = source;
  if (indexes instanceof Uint32Array) {
    const count = indexes.length;
    const out = new Float64Array(count * 2);
    for (let k = 0; k < count; k++) {
      out[k] = timeAt(indexes[k]);
      out[count + k] = values[indexes[k]];
    }
    return littleEndian(out);
  }
  const { from, to } = indexes;
  const count = to - from;
  const out = new Float64Array(count * 2);
  for (let k = 0; k < count; k++) out[k] = timeAt(from + k);
  out.set(values.subarray(from, to), count);
  return littleEndian(out);
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The bytes of `array` in little-endian order (a view on little-endian hosts, the usual case). */
export function littleEndian(array: Float64Array): Buffer {
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  if (!IS_LITTLE_ENDIAN) bytes.swap64();
  return bytes;
}

/** Float64 values from little-endian bytes, copied into aligned memory. */
export function fromLittleEndian(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.byteLength / 8);
  const view = new Uint8Array(out.buffer);
  view.set(bytes);
  if (!IS_LITTLE_ENDIAN) Buffer.from(out.buffer).swap64();
  return out;
}
