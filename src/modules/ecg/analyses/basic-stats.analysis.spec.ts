import type { EcgAnalysis } from './ecg-analysis';
import { BasicStatsAnalysis } from './basic-stats.analysis';

const analysis: EcgAnalysis = new BasicStatsAnalysis();
const stats = (values: number[] | Int32Array) =>
  analysis.analyseLead({ name: 'V1', samples: Int32Array.from(values) }, {});

describe('BasicStatsAnalysis', () => {
  it('reports min, max and a fractional mean for a small lead', () => {
    expect(stats([1, 2, 3, 4])).toEqual({ min: 1, max: 4, mean: 2.5 });
  });

  it('handles a lead that is negative throughout', () => {
    expect(stats([-120, -5, -300, -75])).toEqual({ min: -300, max: -5, mean: -125 });
  });

  it('reports the value itself for a single sample', () => {
    expect(stats([-42])).toEqual({ min: -42, max: -42, mean: -42 });
  });

  it('reports a zero mean for a lead symmetric around the baseline', () => {
    expect(stats([-800, 1000, 800, -1000, 0])).toEqual({ min: -1000, max: 1000, mean: 0 });
  });

  it('keeps the mean exact for 60 s at 1 kHz of full-scale int32 samples', () => {
    const samples = new Int32Array(60_000).fill(2147483647);
    samples[0] = -2147483648;
    // The exact sum is 59,999 × (2^31 − 1) − 2^31, which a wrapping int32 sum would get wrong.
    const expectedMean = (59_999 * 2147483647 - 2147483648) / 60_000;
    expect(stats(samples)).toEqual({ min: -2147483648, max: 2147483647, mean: expectedMean });
  });

  it('reports nulls rather than Infinity or NaN for an empty lead', () => {
    expect(stats([])).toEqual({ min: null, max: null, mean: null });
  });
});
