import { csvPoints, jsonPoints } from './series-encoders';

const collect = (pieces: Iterable<Buffer>) => Buffer.concat([...pieces]).toString('utf8');

describe('PointWriter through jsonPoints / csvPoints', () => {
  const times = [0, 1, 999, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(1, 0, 1), -1, Date.UTC(9999, 11, 31, 23, 59, 59, 999), 1000.6];
  const values = Float64Array.from([0.1, 1e-300, -2.5e300, 1 / 3, 5e-324, 1e21, -123.456, 0, 42, 0.30000000000000004]);
  const timeAt = (i: number) => times[i];

  it('writes exactly what JSON.stringify writes for {timestamp, value} objects', () => {
    const expected = JSON.stringify(Array.from(values, (value, i) => ({ timestamp: new Date(Math.round(times[i])).toISOString(), value }))).slice(1, -1);
    expect(collect(jsonPoints({ values, timeAt, indexes: { from: 0, to: values.length } }))).toBe(expected);
  });

  it('writes CSV lines, a sample of indexes, and pieces of many chunks', () => {
    expect(collect(csvPoints({ values, timeAt, indexes: Uint32Array.from([1, 4]) }))).toBe('1970-01-01T00:00:00.001Z,1e-300\n1970-01-02T00:00:00.000Z,5e-324\n');
    const n = 40_000;
    const many = Float64Array.from({ length: n }, (_, i) => i / 7);
    const text = collect(jsonPoints({ values: many, timeAt: (i) => 1_700_000_000_000 + i * 250, indexes: { from: 5, to: n } }));
    const parsed = JSON.parse(`[${text}]`) as { timestamp: string; value: number }[];
    expect(parsed).toHaveLength(n - 5);
    expect(parsed[0]).toEqual({ timestamp: new Date(1_700_000_000_000 + 5 * 250).toISOString(), value: 5 / 7 });
    expect(parsed[n - 6]).toEqual({ timestamp: new Date(1_700_000_000_000 + (n - 1) * 250).toISOString(), value: (n - 1) / 7 });
  });

  const reference = (values: Float64Array, timeAt: (i: number) => number) =>
    JSON.stringify(Array.from(values, (value, i) => ({ timestamp: new Date(Math.round(timeAt(i))).toISOString(), value }))).slice(1, -1);

  it('formats tricky doubles exactly as JSON.stringify does', () => {
    const tricky = [-0, 0, 1e21, 1e-7, -1e-7, 9.999999999999999e20, 123456789012345680000, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, 0.1 + 0.2, 1 / 3, 2 ** 53, 2 ** 53 + 2, 1e-6, 1.5e-6, 100, 1e20];
    // Random bit patterns (finite only: NaN and ±Infinity cannot be stored) and random decimals.
    const bits = new Uint32Array(2);
    const asDouble = new Float64Array(bits.buffer);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    while (tricky.length < 20_000) {
      bits[0] = next() * 2 + (next() & 1);
      bits[1] = next() * 2 + (next() & 1);
      if (Number.isFinite(asDouble[0])) tricky.push(asDouble[0]);
      tricky.push((next() / 2 ** 31 - 0.5) * 10 ** ((next() % 40) - 20));
    }
    const values = Float64Array.from(tricky);
    const timeAt = (i: number) => 1_700_000_000_000 + i;
    expect(collect(jsonPoints({ values, timeAt, indexes: { from: 0, to: values.length } }))).toBe(reference(values, timeAt));
  });

  it('advances timestamps across seconds, minutes, days and years at any rate, and after a jump back', () => {
    const values = Float64Array.from({ length: 30_000 }, (_, i) => i);
    for (const [startMs, rate] of [
      [Date.UTC(2024, 11, 31, 23, 59, 58, 500), 1000],
      [Date.UTC(2024, 1, 28, 23, 59, 0, 1), 3],
      [Date.UTC(1969, 11, 31, 23, 59, 59, 990), 7],
      [Date.UTC(2025, 5, 30, 23, 58), 0.9],
      [1.5, 1999.9],
    ]) {
      const timeAt = (i: number) => startMs + (i * 1000) / rate;
      expect(collect(jsonPoints({ values, timeAt, indexes: { from: 0, to: values.length } }))).toBe(reference(values, timeAt));
      const sample = Uint32Array.from([5, 4, 4, 900, 20_000, 3]);
      const lines = Array.from(sample, (i) => `${new Date(Math.round(timeAt(i))).toISOString()},${values[i]}\n`).join('');
      expect(collect(csvPoints({ values, timeAt, indexes: sample }))).toBe(lines);
    }
  });
});
