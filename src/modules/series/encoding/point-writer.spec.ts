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
});
