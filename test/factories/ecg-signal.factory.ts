// Synthetic ECG leads for detector tests: each beat is a sum of Gaussian bumps for the P, Q, R, S
// and T waves (the shape used by McSharry et al.'s ECGSYN, without its dynamical model), plus
// optional seeded noise, baseline wander and beat-to-beat variability. Deterministic for a seed,
// so a failing test fails the same way every time.

export interface SyntheticEcgOptions {
  bpm: number;
  samplingRateHz: number;
  durationS: number;
  /** Standard deviation of white Gaussian noise, in sample units (R wave ≈ `amplitude`). */
  noiseAmplitude?: number;
  /** Peak amplitude of a slow respiratory drift (0.12 Hz + 0.31 Hz), in sample units. */
  baselineWander?: number;
  /** Flip the sign of the cardiac waves, as in aVR. Noise and wander are not flipped. */
  invert?: boolean;
  /** Height of the R wave in sample units (µV-like); 1000 by default. */
  amplitude?: number;
  /** Height of the T wave as a fraction of the R wave; 0.3 by default, 0.8 or more for peaked T waves. */
  tWaveHeight?: number;
  /** Standard deviation of the T wave's Gaussian in seconds; 0.045 by default, 0.025 for a peaked T. */
  tWaveWidthS?: number;
  /** Each RR interval drawn uniformly within ±this fraction of the mean, e.g. 0.03; 0 by default. */
  heartRateVariability?: number;
  seed?: number;
}

export interface SyntheticEcg {
  samples: Int32Array;
  /** Sample index of every R-wave apex that falls inside the signal. */
  rPeaks: number[];
}

interface Wave {
  // Offset from the R apex in seconds, scaled by sqrt(RR) for the P and T waves (Bazett-like),
  // so a fast rhythm keeps the T wave before the next beat.
  offsetS: number;
  scalesWithRr: boolean;
  widthS: number;
  height: number;
}

const WAVES: readonly Wave[] = [
  { offsetS: -0.17, scalesWithRr: true, widthS: 0.025, height: 0.15 }, // P
  { offsetS: -0.028, scalesWithRr: false, widthS: 0.008, height: -0.12 }, // Q
  { offsetS: 0, scalesWithRr: false, widthS: 0.01, height: 1 }, // R
  { offsetS: 0.03, scalesWithRr: false, widthS: 0.01, height: -0.25 }, // S
];
const T_WAVE_OFFSET_S = 0.3;

export function syntheticEcg(options: SyntheticEcgOptions): Int32Array {
  return syntheticEcgWithBeats(options).samples;
}

export function syntheticEcgWithBeats(options: SyntheticEcgOptions): SyntheticEcg {
  const {
    bpm,
    samplingRateHz: fs,
    durationS,
    noiseAmplitude = 0,
    baselineWander = 0,
    invert = false,
    amplitude = 1000,
    heartRateVariability = 0,
    tWaveHeight = 0.3,
    tWaveWidthS = 0.045,
    seed = 1,
  } = options;
  const random = mulberry32(seed);
  const n = Math.round(durationS * fs);
  const signal = new Float64Array(n);
  const rPeaks: number[] = [];
  const meanRr = 60 / bpm;
  const polarity = invert ? -1 : 1;
  const tWave: Wave = { offsetS: T_WAVE_OFFSET_S, scalesWithRr: true, widthS: tWaveWidthS, height: tWaveHeight };
  const waves: readonly Wave[] = [...WAVES, tWave];

  // The first beat sits far enough in for its P wave to be inside the signal.
  for (let beatS = 0.3 * Math.sqrt(meanRr) + 0.05; Math.round(beatS * fs) < n; ) {
    const rr = meanRr * (1 + heartRateVariability * (2 * random() - 1));
    rPeaks.push(Math.round(beatS * fs));
    for (const wave of waves) {
      const centreS = beatS + wave.offsetS * (wave.scalesWithRr ? Math.sqrt(rr) : 1);
      const from = Math.max(0, Math.floor((centreS - 5 * wave.widthS) * fs));
      const to = Math.min(n - 1, Math.ceil((centreS + 5 * wave.widthS) * fs));
      for (let i = from; i <= to; i++) {
        const z = (i / fs - centreS) / wave.widthS;
        signal[i] += polarity * amplitude * wave.height * Math.exp(-0.5 * z * z);
      }
    }
    beatS += rr;
  }

  const samples = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    const wander =
      baselineWander * (0.6 * Math.sin(2 * Math.PI * 0.12 * t) + 0.4 * Math.sin(2 * Math.PI * 0.31 * t + 1));
    const noise = noiseAmplitude > 0 ? noiseAmplitude * gaussian(random) : 0;
    samples[i] = Math.round(signal[i] + wander + noise);
  }
  return { samples, rPeaks };
}

// mulberry32: a tiny, well-mixed 32-bit PRNG, enough for test noise and reproducible by seed.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Box–Muller; 1 - u keeps the logarithm away from zero.
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
