import type { FieldError } from '../../../core/errors/domain-error';
import { IsoTimeParser, inRange } from '../encoding/iso-time';
import { SeriesError } from '../series.errors';

/** A validated series, in time order, ready to be stored. */
export interface SeriesData {
  name: string | null;
  unit: string | null;
  startMs: number;
  endMs: number;
  /** Set for the uniform form: timestamps are startMs + i·1000/rate and are not stored. */
  samplingRateHz: number | null;
  /** Epoch milliseconds, ascending; null for the uniform form. */
  timestamps: Float64Array | null;
  values: Float64Array;
}

export const NAME_MAX = 200;
export const UNIT_MAX = 64;
export const MAX_SAMPLING_RATE_HZ = 1_000_000;
/** A body with thousands of mistakes gets the first ones, not a megabyte of errors. */
export const MAX_REPORTED_ERRORS = 100;

class Problems {
  readonly list: FieldError[] = [];
  truncated = false;
  add(path: string, message: string): boolean {
    if (this.list.length >= MAX_REPORTED_ERRORS) {
      this.truncated = true;
      return false;
    }
    this.list.push({ path, message });
    return true;
  }
  get full(): boolean {
    return this.list.length >= MAX_REPORTED_ERRORS;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw SeriesError.invalid(this.list, this.truncated);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === 'object' ? 'an object' : String(value);
}

function label(problems: Problems, body: Record<string, unknown>): { name: string | null; unit: string | null } {
  const text = (key: 'name' | 'unit', max: number): string | null => {
    const value = body[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.length > max) {
      problems.add(key, `${key} must be a string of at most ${max} characters`);
      return null;
    }
    return value;
  };
  return { name: text('name', NAME_MAX), unit: text('unit', UNIT_MAX) };
}

/**
 * Validates either JSON form (`points` or `start` + `sampling_rate_hz` + `values`) in one pass
 * over the points, without class-transformer: a million points would cost it seconds. Errors name
 * their field (`points[3].value`). Over `maxPoints` is a 413, decided from the array's length
 * before any point is looked at.
 */
export function parseJsonSeries(body: unknown, maxPoints: number): SeriesData {
  const problems = new Problems();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.add('', 'the body must be a JSON object with `points`, or with `start`, `sampling_rate_hz` and `values`');
    problems.throwIfAny();
  }
  const object = body as Record<string, unknown>;
  const hasPoints = 'points' in object;
  const uniformKeys = ['start', 'sampling_rate_hz', 'values'].filter((key) => key in object);
  for (const key of Object.keys(object)) {
    if (!['name', 'unit', 'points', 'start', 'sampling_rate_hz', 'values'].includes(key)) problems.add(key, `property ${key} should not exist`);
  }
  const array = hasPoints ? object.points : object.values;
  if ((Array.isArray(array) || array instanceof Float64Array) && array.length > maxPoints) throw SeriesError.tooManyPoints(array.length, maxPoints);

  const { name, unit } = label(problems, object);
  if (hasPoints && uniformKeys.length > 0) {
    problems.add(uniformKeys[0], 'send either `points` or `start` + `sampling_rate_hz` + `values`, not both');
    problems.throwIfAny();
  }
  if (!hasPoints && uniformKeys.length === 0) {
    problems.add('points', 'points must be an array of {timestamp, value} (or send `start`, `sampling_rate_hz` and `values`)');
    problems.throwIfAny();
  }
  return hasPoints ? parsePoints(problems, object.points, name, unit) : parseUniform(problems, object, name, unit);
}

function parsePoints(problems: Problems, points: unknown, name: string | null, unit: string | null): SeriesData {
  if (!Array.isArray(points) || points.length === 0) {
    problems.add('points', Array.isArray(points) ? 'points must contain at least one point' : 'points must be an array of {timestamp, value}');
    problems.throwIfAny();
  }
  const list = points as unknown[];
  const n = list.length;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  const parser = new IsoTimeParser();
  for (let i = 0; i < n && !problems.full; i++) {
    const point = list[i];
    if (typeof point !== 'object' || point === null || Array.isArray(point)) {
      problems.add(`points[${i}]`, 'each point must be an object {timestamp, value}');
      continue;
    }
    const { timestamp, value } = point as { timestamp?: unknown; value?: unknown };
    const ms = typeof timestamp === 'string' ? parser.parse(timestamp) : NaN;
    if (Number.isNaN(ms)) problems.add(`points[${i}].timestamp`, `timestamp must be an ISO-8601 date-time (years 1-9999), got ${describe(timestamp)}`);
    timestamps[i] = ms;
    if (typeof value !== 'number') problems.add(`points[${i}].value`, `value must be a number, got ${describe(value)}`);
    else if (!Number.isFinite(value)) problems.add(`points[${i}].value`, 'value must be finite');
    values[i] = value as number;
    if (Object.keys(point).length > 2) {
      for (const key of Object.keys(point)) if (key !== 'timestamp' && key !== 'value') problems.add(`points[${i}].${key}`, `property ${key} should not exist`);
    }
  }
  problems.throwIfAny();
  return { name, unit, ...inTimeOrder(problems, timestamps, values, (i) => `points[${i}].timestamp`), samplingRateHz: null };
}

function parseUniform(problems: Problems, body: Record<string, unknown>, name: string | null, unit: string | null): SeriesData {
  const { start, sampling_rate_hz: rate, values } = body;
  const startMs = typeof start === 'string' ? new IsoTimeParser().parse(start) : NaN;
  if (Number.isNaN(startMs)) problems.add('start', `start must be an ISO-8601 date-time (years 1-9999), got ${describe(start)}`);
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > MAX_SAMPLING_RATE_HZ) {
    problems.add('sampling_rate_hz', `sampling_rate_hz must be a positive number of at most ${MAX_SAMPLING_RATE_HZ}, got ${describe(rate)}`);
  }
  // A Float64Array when the body came through parseUniformBody: numbers already, checked for finiteness below.
  const isList = Array.isArray(values) || values instanceof Float64Array;
  if (!isList || values.length === 0) {
    problems.add('values', isList ? 'values must contain at least one value' : 'values must be an array of numbers');
    problems.throwIfAny();
  }
  const list = values as ArrayLike<unknown>;
  const n = list.length;
  const packed = values instanceof Float64Array ? values : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = list[i];
    if (typeof value === 'number' && Number.isFinite(value)) packed[i] = value;
    else if (!problems.add(`values[${i}]`, typeof value === 'number' ? 'value must be finite' : `value must be a number, got ${describe(value)}`)) break;
  }
  problems.throwIfAny();
  const endMs = startMs + ((n - 1) * 1000) / (rate as number);
  if (!inRange(endMs)) {
    problems.add('values', 'the series would end after 9999-12-31');
    problems.throwIfAny();
  }
  return { name, unit, startMs, endMs, samplingRateHz: rate as number, timestamps: null, values: packed };
}

/**
 * Puts points in time order (they may arrive shuffled) and refuses duplicate timestamps, naming
 * both lines. Already sorted input, the common case, costs one comparison per point.
 */
function inTimeOrder(
  problems: Problems,
  timestamps: Float64Array,
  values: Float64Array,
  pathOf: (index: number) => string,
): { timestamps: Float64Array; values: Float64Array; startMs: number; endMs: number } {
  const n = timestamps.length;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (timestamps[i] <= timestamps[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Stable, so the first of two duplicates is the one that came first.
    order.sort((a, b) => timestamps[a] - timestamps[b] || a - b);
    for (let k = 1; k < n; k++) {
      if (timestamps[order[k]] === timestamps[order[k - 1]]) {
        if (!problems.add(pathOf(order[k]), `duplicate timestamp: ${pathOf(order[k - 1])} has the same instant (to the millisecond)`)) break;
      }
    }
    problems.throwIfAny();
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      t[k] = timestamps[order[k]];
      v[k] = values[order[k]];
    }
    timestamps = t;
    values = v;
  }
  return { timestamps, values, startMs: timestamps[0], endMs: timestamps[n - 1] };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * `text/csv`: `timestamp,value` lines, an optional header line of exactly those names, blank lines
 * skipped, fields optionally double-quoted, CRLF or LF. Errors name the 1-based line. A
 * hand-written scanner rather than a general CSV parser: two unquoted columns need no quoting
 * rules, and the scanner is what keeps a 1M-line body inside the store budget (docs/series.md).
 */
export function parseCsvSeries(text: string, name: string | null, unit: string | null, maxPoints: number): SeriesData {
  const problems = new Problems();
  const timestampsList: number[] = [];
  const valuesList: number[] = [];
  const lineOf: number[] = [];
  const parser = new IsoTimeParser();
  let line = 0;
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let seenData = false;
  while (position <= text.length && !problems.full) {
    let end = text.indexOf('\n', position);
    if (end === -1) end = text.length;
    line++;
    let row = text.slice(position, end);
    position = end + 1;
    if (row.endsWith('\r')) row = row.slice(0, -1);
    if (row.trim() === '') continue;
    const comma = row.indexOf(',');
    const first = unquote(comma === -1 ? row : row.slice(0, comma));
    const second = comma === -1 ? undefined : unquote(row.slice(comma + 1));
    if (!seenData && timestampsList.length === 0 && first.toLowerCase() === 'timestamp' && second?.toLowerCase() === 'value') {
      seenData = true;
      continue;
    }
    seenData = true;
    if (second === undefined || second.includes(',')) {
      problems.add(`line ${line}`, 'expected two fields: timestamp,value');
      continue;
    }
    if (timestampsList.length === maxPoints) throw SeriesError.tooManyPoints(`more than ${maxPoints}`, maxPoints);
    const ms = parser.parse(first);
    if (Number.isNaN(ms)) problems.add(`line ${line}`, `timestamp must be an ISO-8601 date-time (years 1-9999), got ${describe(first)}`);
    const value = NUMBER.test(second) ? Number(second) : NaN;
    if (!Number.isFinite(value)) problems.add(`line ${line}`, `value must be a finite number, got ${describe(second)}`);
    timestampsList.push(ms);
    valuesList.push(value);
    lineOf.push(line);
  }
  if (!problems.full && timestampsList.length === 0) problems.add('body', 'the CSV holds no points');
  problems.throwIfAny();
  const ordered = inTimeOrder(problems, new Float64Array(timestampsList), new Float64Array(valuesList), (i) => `line ${lineOf[i]}`);
  return { name, unit, ...ordered, samplingRateHz: null };
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
}
