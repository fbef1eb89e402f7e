import type { EcgAnalysis } from './ecg-analysis';
import { ZeroCrossingsAnalysis } from './zero-crossings.analysis';

const analysis: EcgAnalysis = new ZeroCrossingsAnalysis();
const crossings = (values: number[] | Int32Array) =>
  analysis.analyseLead({ name: 'II', samples: Int32Array.from(values) }, {}).zero_crossings;

describe('ZeroCrossingsAnalysis', () => {
  it('counts 6 on the alternating example from the contract, skipping its zeros', () => {
    expect(crossings([1, -1, 1, -1, 1, -1, 0, -1, 0, 1])).toBe(6);
  });

  it('counts nothing when the signal only touches zero and returns to the same side', () => {
    expect(crossings([-1, 0, -1])).toBe(0);
  });

  it('counts one crossing when the signal passes through zero to the other side', () => {
    expect(crossings([-5, 0, 5])).toBe(1);
  });

  it('counts every sign change on a lead with no zeros', () => {
    expect(crossings([3, 7, -2, -8, 4, -1, -1, 6])).toBe(4);
  });

  it('counts one crossing when several zeros sit between the two sides', () => {
    expect(crossings([12, 0, 0, 0, 0, -12])).toBe(1);
  });

  it('counts nothing on a lead that stays on one side', () => {
    expect(crossings([5, 10, 200, 1])).toBe(0);
    expect(crossings([-5, -10, -200, -1])).toBe(0);
  });

  it('counts nothing on a flat zero lead', () => {
    expect(crossings(new Int32Array(5000))).toBe(0);
  });

  it('counts nothing on a single sample or an empty lead', () => {
    expect(crossings([42])).toBe(0);
    expect(crossings([0])).toBe(0);
    expect(crossings([])).toBe(0);
  });

  it('ignores leading and trailing zeros', () => {
    expect(crossings([0, 0, 0, 4, -4, 0, 0])).toBe(1);
    expect(crossings([0, -3, 0])).toBe(0);
  });

  it('handles the int32 extremes without overflow in the sign test', () => {
    expect(crossings([2147483647, -2147483648, 2147483647])).toBe(2);
  });

  it('counts 60,000 crossings on a 60 s lead at 1 kHz that alternates every sample', () => {
    const samples = new Int32Array(60_001);
    for (let i = 0; i < samples.length; i++) samples[i] = i % 2 === 0 ? 1500 : -1500;
    expect(crossings(samples)).toBe(60_000);
  });

  it('counts two crossings per period on a 50 Hz sine sampled for 10 s at 1 kHz', () => {
    // The phase offset keeps samples off exact zero, where rounding could land either side.
    const samples = Int32Array.from({ length: 10_000 }, (_, i) =>
      Math.round(1000 * Math.sin(2 * Math.PI * 50 * (i / 1000) + 0.3)),
    );
    expect(crossings(samples)).toBe(999);
  });
});
