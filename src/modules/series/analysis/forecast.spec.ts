import { backtest, detectSeason, fitHolt, fitHoltWinters, fitLinear, NotFittable } from './forecast';

const ramp = Float64Array.from({ length: 100 }, (_, i) => i + 1);
// Season of 12 samples on a gentle trend, no noise: any decent seasonal method nails it.
const seasonal = Float64Array.from({ length: 240 }, (_, i) => 50 + 0.05 * i + 10 * Math.sin((2 * Math.PI * i) / 12));

describe('forecast methods', () => {
  it.each([
    ['linear', fitLinear],
    ['holt', fitHolt],
  ] as const)('%s continues a ramp 1..100 with 101, 102, 103 inside the interval', (_, fit) => {
    const steps = fit(ramp).forecast(3);
    steps.forEach((step, k) => {
      expect(Math.abs(step.value - (101 + k))).toBeLessThan(1);
      expect(step.lower).toBeLessThanOrEqual(101 + k);
      expect(step.upper).toBeGreaterThanOrEqual(101 + k);
    });
  });

  it('widens the linear interval with noise and with distance', () => {
    const noisy = Float64Array.from(ramp, (x, i) => x + (i % 2 ? 1 : -1));
    const [first, , last] = fitLinear(noisy).forecast(3);
    expect(first.upper - first.lower).toBeGreaterThan(3);
    expect(last.upper - last.lower).toBeGreaterThan(first.upper - first.lower);
  });

  it('finds the season of a seasonal signal by autocorrelation', () => {
    expect(detectSeason(seasonal)).toBe(12);
    expect(detectSeason(ramp)).toBeNull();
  });

  it('holt_winters continues a seasonal signal, and beats holt at it', () => {
    const truth = (i: number) => 50 + 0.05 * i + 10 * Math.sin((2 * Math.PI * i) / 12);
    const model = fitHoltWinters(seasonal, 12);
    expect(model.season).toBe(12);
    model.forecast(24).forEach((step, k) => {
      expect(Math.abs(step.value - truth(240 + k))).toBeLessThan(0.5);
      expect(step.lower).toBeLessThanOrEqual(truth(240 + k));
      expect(step.upper).toBeGreaterThanOrEqual(truth(240 + k));
    });
    const hw = backtest((y) => fitHoltWinters(y, 12), seasonal, 24);
    const holt = backtest(fitHolt, seasonal, 24);
    expect(hw.rmse).toBeLessThan(holt.rmse / 5);
  });

  it('refuses series too short for a method', () => {
    expect(() => fitLinear(Float64Array.from([1, 2]))).toThrow(NotFittable);
    expect(() => fitHolt(Float64Array.from([1, 2, 3]))).toThrow(NotFittable);
    expect(() => fitHoltWinters(seasonal.subarray(0, 20), 12)).toThrow(/two full seasons/);
  });

  it('back-tests with the errors of the hold-out tail', () => {
    expect(backtest(fitLinear, ramp, 10)).toEqual({ rmse: expect.closeTo(0, 9), mae: expect.closeTo(0, 9) });
  });
});
