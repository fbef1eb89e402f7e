import { fft, nextPowerOfTwo } from './fft';

export const FORECAST_METHODS = ['linear', 'holt', 'holt_winters'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

/** 1.96: the two-sided 95 % quantile of the normal distribution the intervals assume. */
const Z95 = 1.959963984540054;

export interface ForecastStep {
  value: number;
  lower: number;
  upper: number;
}

export interface FittedModel {
  method: ForecastMethod;
  /** Holt-Winters only: the season length in samples. */
  season?: number;
  forecast(horizon: number): ForecastStep[];
}

/** Why a method cannot be fitted to these values (the service turns it into a 422). */
export class NotFittable extends Error {}

/** Fewest samples each method is fitted on (Holt-Winters also needs two full seasons). */
export const MIN_FIT = { linear: 3, holt: 4, holt_winters: 8 } as const;

/**
 * Ordinary least squares on the sample index; the interval is the textbook prediction interval
 * ŷ ± z·s·√(1 + 1/n + (x₀ - x̄)²/Sxx).
 */
export function fitLinear(y: Float64Array): FittedModel {
  const n = y.length;
  if (n < MIN_FIT.linear) throw new NotFittable(`linear needs at least ${MIN_FIT.linear} points to fit on, got ${n}`);
  const xMean = (n - 1) / 2;
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - xMean) * (y[i] - yMean);
    sxx += (i - xMean) * (i - xMean);
  }
  const slope = sxy / sxx;
  const intercept = yMean - slope * xMean;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i] - intercept - slope * i) ** 2;
  const s = Math.sqrt(sse / (n - 2));
  return {
    method: 'linear',
    forecast: (horizon) =>
      Array.from({ length: horizon }, (_, k) => {
        const x = n + k;
        const value = intercept + slope * x;
        const half = Z95 * s * Math.sqrt(1 + 1 / n + (x - xMean) ** 2 / sxx);
        return { value, lower: value - half, upper: value + half };
      }),
  };
}

// Smoothing parameters are picked from a coarse grid by the one-step-ahead squared error: a
// bounded, deterministic search (60 runs over at most the forecast window) instead of an optimiser.
const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const BETAS = [0.01, 0.05, 0.1, 0.2, 0.4];
const GAMMAS = [0.05, 0.1, 0.3];

/** Holt's linear trend (double exponential smoothing), additive errors. */
export function fitHolt(y: Float64Array): FittedModel {
  const n = y.length;
  if (n < MIN_FIT.holt) throw new NotFittable(`holt needs at least ${MIN_FIT.holt} points to fit on, got ${n}`);
  let best = { sse: Infinity, alpha: 0, beta: 0, level: 0, trend: 0 };
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      let level = y[0];
      let trend = y[1] - y[0];
      let sse = 0;
      for (let i = 1; i < n; i++) {
        const predicted = level + trend;
        const error = y[i] - predicted;
        sse += error * error;
        const previous = level;
        level = predicted + alpha * error;
        trend = trend + beta * (level - previous - trend);
      }
      if (sse < best.sse) best = { sse, alpha, beta, level, trend };
    }
  }
  const { alpha, beta, level, trend } = best;
  const sigma2 = best.sse / Math.max(1, n - 3);
  return {
    method: 'holt',
    forecast: (horizon) => {
      let variance = 0;
      return Array.from({ length: horizon }, (_, k) => {
        const h = k + 1;
        // Hyndman & Athanasopoulos, table 9.8 (ETS(A,A,N)): σ²[1 + Σ_{j<h} α²(1 + jβ)²].
        if (h > 1) variance += (alpha * (1 + (h - 1) * beta)) ** 2;
        const value = level + h * trend;
        const half = Z95 * Math.sqrt(sigma2 * (1 + variance));
        return { value, lower: value - half, upper: value + half };
      });
    },
  };
}

/** Additive Holt-Winters with season length `m` (samples). */
export function fitHoltWinters(y: Float64Array, m: number): FittedModel {
  const n = y.length;
  if (m < 2 || n < Math.max(MIN_FIT.holt_winters, 2 * m)) {
    throw new NotFittable(`holt_winters needs two full seasons (${2 * m} points for a season of ${m}), got ${n}`);
  }
  // Classical start: level = mean of the first season, trend = mean change between the first two
  // seasons per sample, seasonal = the first season's deviations from its mean.
  let first = 0;
  let second = 0;
  for (let i = 0; i < m; i++) {
    first += y[i];
    second += y[m + i];
  }
  first /= m;
  second /= m;
  const level0 = first;
  const trend0 = (second - first) / m;
  const seasonal0 = new Float64Array(m);
  for (let i = 0; i < m; i++) seasonal0[i] = y[i] - first;

  let best = { sse: Infinity, alpha: 0, beta: 0, gamma: 0, level: 0, trend: 0, seasonal: seasonal0 };
  const seasonal = new Float64Array(m);
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      for (const gamma of GAMMAS) {
        seasonal.set(seasonal0);
        let level = level0;
        let trend = trend0;
        let sse = 0;
        for (let i = m; i < n; i++) {
          const s = seasonal[i % m];
          const error = y[i] - (level + trend + s);
          sse += error * error;
          // Error-correction form; in ETS(A,A,A) terms β* = αβ and γ* = γ(1 - α).
          level = level + trend + alpha * error;
          trend = trend + alpha * beta * error;
          seasonal[i % m] = s + gamma * (1 - alpha) * error;
        }
        if (sse < best.sse) best = { sse, alpha, beta, gamma, level, trend, seasonal: Float64Array.from(seasonal) };
      }
    }
  }
  const { alpha, beta, gamma, level, trend } = best;
  const finalSeasonal = best.seasonal;
  const sigma2 = best.sse / Math.max(1, n - m - 3);
  return {
    method: 'holt_winters',
    season: m,
    forecast: (horizon) => {
      let variance = 0;
      return Array.from({ length: horizon }, (_, k) => {
        const h = k + 1;
        if (h > 1) {
          const j = h - 1;
          // ETS(A,A,A): σ²[1 + Σ_{j<h} (α(1 + jβ) + γ·[j mod m = 0])²], with β, γ in the error-correction form above.
          variance += (alpha * (1 + j * beta) + (j % m === 0 ? gamma * (1 - alpha) : 0)) ** 2;
        }
        const value = level + h * trend + finalSeasonal[(n + k) % m];
        const half = Z95 * Math.sqrt(sigma2 * (1 + variance));
        return { value, lower: value - half, upper: value + half };
      });
    },
  };
}

/**
 * The season length (in samples) of `y`: the lag of the highest autocorrelation peak (after the
 * linear trend is removed) between 2 and n/2, if that peak reaches 0.3; among peaks within 10 %
 * of the highest the shortest wins, so a season is not mistaken for its multiples. The
 * autocorrelation comes from one FFT (Wiener-Khinchin), so every lag costs O(n log n) together.
 */
export function detectSeason(y: Float64Array): number | null {
  const n = y.length;
  if (n < MIN_FIT.holt_winters) return null;
  const size = nextPowerOfTwo(2 * n);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  // Detrend, so that a ramp does not look like one very long season.
  const xMean = (n - 1) / 2;
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - xMean) * (y[i] - yMean);
    sxx += (i - xMean) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  for (let i = 0; i < n; i++) re[i] = y[i] - yMean - slope * (i - xMean);
  fft(re, im);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const variance = re[0];
  if (!(variance > 0)) return null;
  const maxLag = Math.floor(n / 2);
  const peaks: { lag: number; r: number }[] = [];
  for (let lag = 2; lag < maxLag; lag++) {
    // The biased estimator (divide by n) damps long lags, which favours the true season over its multiples.
    const r = re[lag] / variance;
    if (r >= 0.3 && r > re[lag - 1] / variance && r >= re[lag + 1] / variance) peaks.push({ lag, r });
  }
  if (peaks.length === 0) return null;
  const highest = Math.max(...peaks.map((p) => p.r));
  return peaks.find((p) => p.r >= 0.9 * highest)!.lag;
}

export interface Backtest {
  rmse: number;
  mae: number;
}

/** Errors of forecasting the last `holdout` values from the ones before them. */
export function backtest(fit: (y: Float64Array) => FittedModel, y: Float64Array, holdout: number): Backtest {
  const train = y.subarray(0, y.length - holdout);
  const predicted = fit(train).forecast(holdout);
  let squares = 0;
  let absolute = 0;
  for (let k = 0; k < holdout; k++) {
    const error = y[train.length + k] - predicted[k].value;
    squares += error * error;
    absolute += Math.abs(error);
  }
  return { rmse: Math.sqrt(squares / holdout), mae: absolute / holdout };
}
