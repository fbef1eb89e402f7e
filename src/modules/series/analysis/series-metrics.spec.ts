import { computeMetrics } from './series-metrics';
import { quantiles } from './select';
import { dominantFrequencyHz } from './spectrum';

const T0 = Date.UTC(2025, 0, 1);
const metricsOf = (values: number[], samplingRateHz: number | null = null, stepMs = 1000) =>
  computeMetrics({ values: Float64Array.from(values), startMs: T0, endMs: T0 + (values.length - 1) * stepMs, samplingRateHz });

describe('computeMetrics', () => {
  it('matches hand-computed statistics of 1..5', () => {
    // By hand: mean 3, deviations -2..2, Σd² = 10 → sample variance 10/4 = 2.5, std √2.5;
    // population m2 = 2, m4 = 34/5 = 6.8 → Pearson kurtosis 6.8/2² = 1.7; symmetric → skewness 0;
    // Σx² = 55 → rms √11, crest 5/√11; type-7 quantiles: p05 at h = 0.2 → 1.2, p95 at h = 3.8 → 4.8.
    const m = metricsOf([1, 2, 3, 4, 5]);
    expect(m.count).toBe(5);
    expect(m.min).toBe(1);
    expect(m.max).toBe(5);
    expect(m.mean).toBe(3);
    expect(m.median).toBe(3);
    expect(m.variance).toBeCloseTo(2.5, 12);
    expect(m.std).toBeCloseTo(1.5811388, 7);
    expect(m.rms).toBeCloseTo(Math.sqrt(11), 12);
    expect(m.peak).toBe(5);
    expect(m.peak_to_peak).toBe(4);
    expect(m.crest_factor).toBeCloseTo(5 / Math.sqrt(11), 12);
    expect(m.skewness).toBeCloseTo(0, 12);
    expect(m.kurtosis).toBeCloseTo(1.7, 12);
    expect(m.p05).toBeCloseTo(1.2, 12);
    expect(m.p95).toBeCloseTo(4.8, 12);
    expect(m.start).toBe('2025-01-01T00:00:00.000Z');
    expect(m.end).toBe('2025-01-01T00:00:04.000Z');
    expect(m.duration_s).toBe(4);
    expect(m.mean_interval_s).toBe(1);
    expect(m).not.toHaveProperty('dominant_frequency_hz');
  });

  it('matches the worked example of docs/series.md', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9] at 1 Hz; by hand and with NumPy/SciPy (np.std(ddof=1), stats.skew,
    // stats.kurtosis(fisher=False), np.percentile): mean 5, Σd² = 32 → variance 32/7, population
    // m2 = 4, m3 = 5.25, m4 = 44.5 → skewness 5.25/8 = 0.65625, kurtosis 44.5/16 = 2.78125;
    // Σx² = 232 → rms √29; p05 at h = 0.35 → 2 + 0.35·2 = 2.7; p95 at h = 6.65 → 7 + 0.65·2 = 8.3.
    const m = metricsOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(m).toMatchObject({ count: 8, min: 2, max: 9, mean: 5, median: 4.5, peak: 9, peak_to_peak: 7, duration_s: 7, mean_interval_s: 1 });
    expect(m.variance).toBeCloseTo(32 / 7, 12);
    expect(m.std).toBeCloseTo(2.138089935299395, 12);
    expect(m.rms).toBeCloseTo(Math.sqrt(29), 12);
    expect(m.crest_factor).toBeCloseTo(9 / Math.sqrt(29), 12);
    expect(m.skewness).toBeCloseTo(0.65625, 12);
    expect(m.kurtosis).toBeCloseTo(2.78125, 12);
    expect(m.p05).toBeCloseTo(2.7, 12);
    expect(m.p95).toBeCloseTo(8.3, 12);
  });

  it('gets the skew of an asymmetric sample right', () => {
    // [0, 0, 0, 10]: mean 2.5, deviations -2.5 ×3 and 7.5; population m2 = 75/4, m3 = 375/4,
    // m4 = 3281.25/4 → g1 = 93.75 / 18.75^1.5 = 2/√3, b2 = 820.3125 / 351.5625 = 7/3
    // (scipy.stats.skew → 1.1547005383792515, scipy.stats.kurtosis(fisher=False) → 2.3333333333333335).
    const m = metricsOf([0, 10, 0, 0]);
    expect(m.skewness).toBeCloseTo(2 / Math.sqrt(3), 10);
    expect(m.kurtosis).toBeCloseTo(7 / 3, 10);
    expect(m.median).toBe(0);
    expect(m.p95).toBeCloseTo(8.5, 12); // h = 2.85 → 0 + 0.85·10 (numpy.percentile agrees)
  });

  it('keeps std and kurtosis right under a DC offset of 1e9', () => {
    const m = metricsOf([1, 2, 3, 4, 5].map((x) => x + 1e9));
    expect(m.mean).toBe(1e9 + 3);
    expect(m.std).toBeCloseTo(1.5811388, 7);
    expect(m.kurtosis).toBeCloseTo(1.7, 9);
    expect(m.skewness).toBeCloseTo(0, 9);
  });

  it('answers null, never NaN, for what one point or a constant cannot define', () => {
    const one = metricsOf([42]);
    expect(one).toMatchObject({ count: 1, min: 42, max: 42, mean: 42, median: 42, std: null, variance: null, skewness: null, kurtosis: null });
    expect(one.mean_interval_s).toBeNull();
    expect(one.duration_s).toBe(0);
    const zeros = metricsOf([0, 0, 0]);
    expect(zeros).toMatchObject({ std: 0, variance: 0, rms: 0, crest_factor: null, skewness: null, kurtosis: null });
    expect(JSON.stringify(zeros)).not.toMatch(/NaN|Infinity/);
  });

  it('reports the dominant frequency of uniformly sampled series only', () => {
    const sine = Array.from({ length: 1000 }, (_, i) => Math.sin((2 * Math.PI * 5 * i) / 100));
    const m = metricsOf(sine, 100, 10);
    expect(m.dominant_frequency_hz).toBeGreaterThan(4.8);
    expect(m.dominant_frequency_hz).toBeLessThan(5.2);
    expect(m.mean_interval_s).toBeCloseTo(0.01, 12);
  });
});

describe('dominantFrequencyHz', () => {
  it('finds 5 Hz at 100 Hz within 0.2 Hz under a DC offset and noise, on a long series', () => {
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.5;
    const values = Float64Array.from({ length: 200_000 }, (_, i) => 1e6 + Math.sin((2 * Math.PI * 5 * i) / 100) + noise());
    expect(Math.abs(dominantFrequencyHz(values, 100)! - 5)).toBeLessThan(0.2);
  });

  it('picks the stronger of two tones', () => {
    const values = Float64Array.from({ length: 8192 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 50 * i) / 1000) + Math.sin((2 * Math.PI * 120 * i) / 1000));
    expect(Math.abs(dominantFrequencyHz(values, 1000)! - 120)).toBeLessThan(0.5);
  });

  it('is null for a constant or a too short series', () => {
    expect(dominantFrequencyHz(new Float64Array(100).fill(3), 10)).toBeNull();
    expect(dominantFrequencyHz(Float64Array.from([1, 2, 3]), 10)).toBeNull();
  });
});

describe('quantiles', () => {
  it('agrees with a full sort on random data', () => {
    const values = Float64Array.from({ length: 10_001 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
    const sorted = Float64Array.from(values).sort();
    const at = (q: number) => {
      const h = (sorted.length - 1) * q;
      const lo = Math.floor(h);
      return sorted[lo] + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]) - sorted[lo]);
    };
    const qs = [0.5, 0.05, 0.95, 0, 1, 0.333];
    expect(quantiles(Float64Array.from(values), qs)).toEqual(qs.map(at));
  });

  it('agrees with a full sort for many lengths, duplicates and quantile orders', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [1, 2, 3, 5, 10, 99, 1000, 4097]) {
      const values = Float64Array.from({ length: n }, () => Math.floor(random() * (n / 3 + 1)));
      const sorted = Float64Array.from(values).sort();
      const at = (q: number) => {
        const h = (n - 1) * q;
        const lo = Math.floor(h);
        return h === lo || lo + 1 >= n ? sorted[lo] : sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
      };
      for (const qs of [[0.5, 0.05, 0.95], [0.95, 0.5, 0.05, 0.5], [0.01, 0.02, 0.98, 0.99, 0.5], [1, 0]]) {
        expect(quantiles(Float64Array.from(values), qs)).toEqual(qs.map(at));
      }
    }
  });
});
