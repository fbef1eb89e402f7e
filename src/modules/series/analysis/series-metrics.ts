import { quantiles } from './select';
import { dominantFrequencyHz } from './spectrum';

/** What GET /series/{id}/metrics answers; computed once when the series is stored. */
export interface SeriesMetrics {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  std: number | null;
  variance: number | null;
  rms: number;
  peak: number;
  peak_to_peak: number;
  crest_factor: number | null;
  skewness: number | null;
  kurtosis: number | null;
  p05: number;
  p95: number;
  start: string;
  end: string;
  duration_s: number;
  mean_interval_s: number | null;
  dominant_frequency_hz?: number | null;
}

export interface MetricsInput {
  values: Float64Array;
  startMs: number;
  endMs: number;
  /** Set when the samples are evenly spaced: enables dominant_frequency_hz. */
  samplingRateHz: number | null;
}

/**
 * Two passes over the values: the first sums them (Neumaier-compensated, so a large DC offset
 * does not eat the digits of the mean), the second accumulates central moments around that mean.
 * Raw power sums (Σx², Σx³, ...) lose every significant digit when the mean is large against the
 * spread; deviations from the mean do not.
 * Undefined quantities are null, never NaN: std and variance need two points; skewness, kurtosis
 * and crest factor need a non-zero spread or level.
 */
export function computeMetrics({ values, startMs, endMs, samplingRateHz }: MetricsInput): SeriesMetrics {
  const n = values.length;
  if (n === 0) throw new Error('computeMetrics needs at least one value');
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (x < min) min = x;
    if (x > max) max = x;
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  const mean = (sum + compensation) / n;

  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    const d = x - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    squares += x * x;
  }
  const variance = n > 1 ? m2 / (n - 1) : null;
  // Population (biased) moments for the shape statistics: g1 = m3/m2^1.5, Pearson's b2 = m4/m2².
  const pm2 = m2 / n;
  const skewness = pm2 > 0 ? m3 / n / Math.pow(pm2, 1.5) : null;
  const kurtosis = pm2 > 0 ? m4 / n / (pm2 * pm2) : null;
  const rms = Math.sqrt(squares / n);
  const peak = Math.max(Math.abs(min), Math.abs(max));
  const [median, p05, p95] = quantiles(values.slice(), [0.5, 0.05, 0.95]);
  const durationS = (endMs - startMs) / 1000;

  const metrics: SeriesMetrics = {
    count: n,
    min,
    max,
    mean,
    median,
    std: variance === null ? null : Math.sqrt(variance),
    variance,
    rms,
    peak,
    peak_to_peak: max - min,
    crest_factor: rms > 0 ? peak / rms : null,
    skewness: finiteOrNull(skewness),
    kurtosis: finiteOrNull(kurtosis),
    p05,
    p95,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    duration_s: durationS,
    mean_interval_s: n > 1 ? durationS / (n - 1) : null,
  };
  if (samplingRateHz !== null) metrics.dominant_frequency_hz = dominantFrequencyHz(values, samplingRateHz);
  return metrics;
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}
