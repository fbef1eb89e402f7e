import { minMaxBuckets } from './downsample';

describe('minMaxBuckets', () => {
  it('keeps the global minimum and maximum, even single-sample spikes, in time order', () => {
    const values = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 500));
    values[31_337] = 50;
    values[77_777] = -60;
    const picked = minMaxBuckets(values, 0, values.length, 2000);
    expect(picked.length).toBeLessThanOrEqual(2000);
    const kept = Array.from(picked, (i) => values[i]);
    expect(Math.max(...kept)).toBe(50);
    expect(Math.min(...kept)).toBe(-60);
    expect(Array.from(picked)).toEqual(Array.from(picked).sort((a, b) => a - b));
    expect(new Set(picked).size).toBe(picked.length);
  });

  it('returns the range untouched when it already fits, and honours a window', () => {
    const values = Float64Array.from([5, 1, 4, 2, 3]);
    expect(Array.from(minMaxBuckets(values, 0, 5, 10))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(minMaxBuckets(values, 1, 5, 2))).toEqual([1, 2]);
  });
});
