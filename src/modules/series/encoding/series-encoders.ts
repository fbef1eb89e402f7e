import { IsoTimeFormatter } from './iso-time';

/** The points a read answers: timestamps and values, and which indexes of them (a window or a sample). */
export interface PointSource {
  /** Epoch ms of point i (implicit for uniform series). */
  timeAt: (index: number) => number;
  values: Float64Array;
  /** Ascending indexes into `values`, or a contiguous [from, to) range. */
  indexes: Uint32Array | { from: number; to: number };
}

/** Points per piece of output: about 0.9 MB of JSON, small enough to keep memory flat, large enough to amortise a write. */
const CHUNK = 16_384;

function* indexChunks(indexes: PointSource['indexes']): Generator<[number, number, (k: number) => number]> {
  if (indexes instanceof Uint32Array) {
    for (let k = 0; k < indexes.length; k += CHUNK) yield [k, Math.min(indexes.length, k + CHUNK), (j) => indexes[j]];
  } else {
    for (let k = indexes.from; k < indexes.to; k += CHUNK) yield [k, Math.min(indexes.to, k + CHUNK), (j) => j];
  }
}

/**
 * The `points` array as JSON text, in pieces. Values are written with JavaScript's shortest
 * round-trip formatting (`0.1` stays `0.1`, `1e-300` stays `1e-300`), timestamps with a
 * per-day cached ISO prefix: no object and no Date per point, no JSON.stringify of a 60 MB tree.
 */
export function* jsonPoints(source: PointSource): Generator<string> {
  const formatter = new IsoTimeFormatter();
  const { values, timeAt } = source;
  let separator = '';
  for (const [from, to, at] of indexChunks(source.indexes)) {
    let text = '';
    for (let k = from; k < to; k++) {
      const i = at(k);
      text += separator + '{"timestamp":"' + formatter.format(timeAt(i)) + '","value":' + values[i] + '}';
      separator = ',';
    }
    yield text;
  }
}

/** CSV with a `timestamp,value` header, in pieces. */
export function* csvPoints(source: PointSource): Generator<string> {
  const formatter = new IsoTimeFormatter();
  const { values, timeAt } = source;
  yield 'timestamp,value\n';
  for (const [from, to, at] of indexChunks(source.indexes)) {
    let text = '';
    for (let k = from; k < to; k++) {
      const i = at(k);
      text += formatter.format(timeAt(i)) + ',' + values[i] + '\n';
    }
    yield text;
  }
}

/**
 * `application/octet-stream`: count float64 timestamps (epoch ms) then count float64 values, both
 * little-endian, no header (the count is `X-Series-Count`, and length / 16).
 */
export function binaryPoints(source: PointSource): Buffer {
  const { indexes, values, timeAt } = source;
  const count = indexes instanceof Uint32Array ? indexes.length : indexes.to - indexes.from;
  const out = new Float64Array(count * 2);
  for (let k = 0; k < count; k++) {
    const i = indexes instanceof Uint32Array ? indexes[k] : indexes.from + k;
    out[k] = timeAt(i);
    out[count + k] = values[i];
  }
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
