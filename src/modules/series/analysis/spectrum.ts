import { fft, nextPowerOfTwo } from './fft';

/** Segment length of the Welch estimate: 0.024 Hz resolution at 100 Hz, 0.24 Hz at 1 kHz. */
export const WELCH_SEGMENT = 4096;
/**
 * At most this many half-overlapping segments, spread evenly over the whole series: the cost is
 * bounded (about 32 FFTs of 4096 points) whatever the length, and a 1M-point series is still
 * sampled from start to end rather than only at its tail.
 */
export const WELCH_MAX_SEGMENTS = 32;

/**
 * The frequency (Hz) of the strongest non-DC peak of the Welch power spectrum (Hann window,
 * per-segment mean removed), refined by parabolic interpolation over the neighbouring bins.
 * Null when the series is too short (< 4 samples) or has no power outside DC (a constant).
 */
export function dominantFrequencyHz(values: Float64Array, samplingRateHz: number): number | null {
  const n = values.length;
  if (n < 4) return null;
  const length = Math.min(WELCH_SEGMENT, nextPowerOfTwo(n));
  const used = Math.min(length, n);
  const hop = used / 2;
  const possible = n <= used ? 1 : Math.floor((n - used) / hop) + 1;
  const segments = Math.min(WELCH_MAX_SEGMENTS, possible);
  const stride = segments > 1 ? (n - used) / (segments - 1) : 0;

  const window = new Float64Array(used);
  for (let i = 0; i < used; i++) window[i] = used === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (used - 1));
  const power = new Float64Array(length / 2 + 1);
  const re = new Float64Array(length);
  const im = new Float64Array(length);
  for (let s = 0; s < segments; s++) {
    const offset = Math.round(s * stride);
    let mean = 0;
    for (let i = 0; i < used; i++) mean += values[offset + i];
    mean /= used;
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < used; i++) re[i] = (values[offset + i] - mean) * window[i];
    fft(re, im);
    for (let k = 0; k < power.length; k++) power[k] += re[k] * re[k] + im[k] * im[k];
  }

  let best = 1;
  for (let k = 2; k < power.length; k++) if (power[k] > power[best]) best = k;
  const total = power.reduce((sum, p) => sum + p, 0);
  if (!(power[best] > total * 1e-12) || !Number.isFinite(power[best])) return null;
  let shift = 0;
  if (best > 0 && best < power.length - 1) {
    const [a, b, c] = [power[best - 1], power[best], power[best + 1]];
    const denominator = a - 2 * b + c;
    if (denominator !== 0) shift = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator));
  }
  return ((best + shift) * samplingRateHz) / length;
}
