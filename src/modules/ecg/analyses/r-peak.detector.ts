// A Pan–Tompkins-style QRS detector (Pan & Tompkins, IEEE TBME 1985) adapted to any sampling
// rate: band-pass, derivative, squaring, moving-window integration, adaptive thresholds with a
// refractory period, T-wave rejection and search-back, then each detection is moved onto the R
// wave itself. Every step is a fixed number of passes over the signal, so the cost is O(n).

// 5–15 Hz keeps most QRS energy while removing baseline wander (< 1 Hz), most of the P and T
// waves (mostly < 5 Hz) and mains hum and muscle noise (> 15 Hz).
const BAND_LOW_HZ = 5;
const BAND_HIGH_HZ = 15;
// About the width of a wide QRS: a narrower window splits one complex into several peaks, a
// wider one merges the QRS with the T wave.
const INTEGRATION_WINDOW_S = 0.15;
// Depolarisation makes a second beat within 200 ms physiologically impossible; this also caps
// the detectable rate at 300 bpm.
const REFRACTORY_S = 0.2;
// A peak this soon after a QRS with less than half its slope is a T wave, not a beat.
const T_WAVE_WINDOW_S = 0.36;
const T_WAVE_SLOPE_RATIO = 0.5;
// Half-width of the window in which a detection is moved to the R wave, and in which the QRS
// slope is measured; a QRS lasts about 80–120 ms.
const QRS_HALF_WIDTH_S = 0.075;
// Thresholds are learnt from 2 s blocks: at 30 bpm each block still holds a beat.
const LEARNING_BLOCK_S = 2;
// A gap of 1.66 average RR intervals means a beat was missed (the paper's figure).
const SEARCH_BACK_RR_FACTOR = 1.66;
const RR_AVERAGE_BEATS = 8;
// One peak enters the signal level's running average as at most this multiple of the level: an
// electrode pop a hundred times the QRS energy would otherwise lift the threshold above every
// beat for as long as the level takes to decay.
const MAX_SIGNAL_STEP = 2;
// Before two beats give an RR average, a beat counts as missed after this long: the slowest
// rhythm assumed (30 bpm) with some margin.
const INITIAL_MISSED_BEAT_GAP_S = 2.5;
// A lead with no heart in it (electrode off, pure noise) still has energy maxima, and adaptive
// thresholds happily call a third of them beats. Real QRS complexes stand far above the quietest
// tenth of the signal (the TP segments); noise does not. On synthetic signals the ratio stayed
// below about 5 for white noise alone and above 6 for an ECG at 240 bpm with heavy noise.
const MIN_QRS_TO_QUIET_RATIO = 5;
const QUIET_QUANTILE = 0.1;
// Below this the QRS (10–20 Hz content) cannot be resolved and the 15 Hz filter nears Nyquist.
export const MIN_SAMPLING_RATE_HZ = 50;

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

// Sample indices of the R waves in increasing order; [] when there is no rhythm to find.
export function detectRPeaks(samples: ArrayLike<number>, samplingRateHz: number): number[] {
  if (!(samplingRateHz >= MIN_SAMPLING_RATE_HZ) || samples.length < 3) return [];

  const bandPassed = Float64Array.from(samples);
  bandPassInPlace(bandPassed, samplingRateHz);
  const slopeEnergy = squaredDerivative(bandPassed);
  const integrationWidth = Math.max(1, Math.round(INTEGRATION_WINDOW_S * samplingRateHz));
  const integrated = movingAverage(slopeEnergy, integrationWidth);

  const detections = detectQrs(integrated, slopeEnergy, samplingRateHz);
  if (detections.length === 0) return [];
  const typicalQrs = median(detections.map((index) => integrated[index]));
  if (typicalQrs < MIN_QRS_TO_QUIET_RATIO * quietLevel(integrated, samplingRateHz)) return [];
  return locateRWaves(detections, bandPassed, samplingRateHz);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Butterworth sections run forwards then backwards: the band-pass has zero phase, so the QRS is
// not delayed by a rate-dependent amount and needs no delay compensation later.
function bandPassInPlace(signal: Float64Array, samplingRateHz: number): void {
  const highPass = butterworth('high', BAND_LOW_HZ, samplingRateHz);
  const lowPass = butterworth('low', BAND_HIGH_HZ, samplingRateHz);
  filterInPlace(signal, highPass, false);
  filterInPlace(signal, lowPass, false);
  filterInPlace(signal, highPass, true);
  filterInPlace(signal, lowPass, true);
}

// Second-order Butterworth section from the RBJ audio-EQ cookbook, so the cut-offs hold at any rate.
function butterworth(kind: 'low' | 'high', cutoffHz: number, samplingRateHz: number): Biquad {
  const omega = (2 * Math.PI * cutoffHz) / samplingRateHz;
  const cos = Math.cos(omega);
  const alpha = Math.sin(omega) / (2 * Math.SQRT1_2);
  const a0 = 1 + alpha;
  const b0 = (kind === 'low' ? (1 - cos) / 2 : (1 + cos) / 2) / a0;
  const b1 = (kind === 'low' ? 1 - cos : -(1 + cos)) / a0;
  return { b0, b1, b2: b0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

function filterInPlace(signal: Float64Array, f: Biquad, backwards: boolean): void {
  const n = signal.length;
  const step = backwards ? -1 : 1;
  let index = backwards ? n - 1 : 0;
  // Start in the steady state of a signal that has always been at the edge value: from a zero
  // state, a lead with a DC offset (common on raw ADC values) would open with a step transient
  // large enough to be taken for a beat and to inflate the learnt thresholds.
  const edge = signal[index];
  const edgeOut = ((f.b0 + f.b1 + f.b2) / (1 + f.a1 + f.a2)) * edge;
  let z2 = f.b2 * edge - f.a2 * edgeOut;
  let z1 = f.b1 * edge - f.a1 * edgeOut + z2;
  for (let k = 0; k < n; k++, index += step) {
    const input = signal[index];
    const output = f.b0 * input + z1;
    z1 = f.b1 * input - f.a1 * output + z2;
    z2 = f.b2 * input - f.a2 * output;
    signal[index] = output;
  }
}

// A centred difference: no delay, and its scale does not matter because every later threshold is
// relative to the signal's own levels.
function squaredDerivative(signal: Float64Array): Float64Array {
  const energy = new Float64Array(signal.length);
  for (let i = 1; i < signal.length - 1; i++) {
    const slope = signal[i + 1] - signal[i - 1];
    energy[i] = slope * slope;
  }
  return energy;
}

// Centred so the integrated hump peaks in the middle of the QRS rather than a window later.
function movingAverage(signal: Float64Array, width: number): Float64Array {
  const n = signal.length;
  const out = new Float64Array(n);
  const before = width >> 1;
  const after = width - before - 1;
  let sum = 0;
  for (let i = 0; i < Math.min(after, n); i++) sum += signal[i];
  for (let i = 0; i < n; i++) {
    if (i + after < n) sum += signal[i + after];
    if (i - before - 1 >= 0) sum -= signal[i - before - 1];
    out[i] = sum / width;
  }
  return out;
}

function detectQrs(integrated: Float64Array, slopeEnergy: Float64Array, samplingRateHz: number): number[] {
  const n = integrated.length;
  const refractory = Math.round(REFRACTORY_S * samplingRateHz);
  const tWaveWindow = Math.round(T_WAVE_WINDOW_S * samplingRateHz);
  const qrsHalfWidth = Math.round(QRS_HALF_WIDTH_S * samplingRateHz);
  const initialMissedBeatGap = Math.round(INITIAL_MISSED_BEAT_GAP_S * samplingRateHz);

  let { signalLevel, noiseLevel } = learnLevels(integrated, Math.round(LEARNING_BLOCK_S * samplingRateHz));
  const qrs: number[] = [];
  let lastSlope = 0;
  const recentRr: number[] = [];
  let searchBackCandidate = -1;
  let lastDecay = 0;

  const raiseSignalLevel = (value: number, weight: number): void => {
    signalLevel = weight * Math.min(value, MAX_SIGNAL_STEP * signalLevel) + (1 - weight) * signalLevel;
  };
  const accept = (index: number): void => {
    const last = qrs.length > 0 ? qrs[qrs.length - 1] : -1;
    if (last >= 0) {
      recentRr.push(index - last);
      if (recentRr.length > RR_AVERAGE_BEATS) recentRr.shift();
    }
    qrs.push(index);
    lastSlope = maxInWindow(slopeEnergy, index, qrsHalfWidth);
    searchBackCandidate = -1;
  };

  for (let i = 1; i < n - 1; i++) {
    if (!(integrated[i] > integrated[i - 1] && integrated[i] >= integrated[i + 1])) continue;
    const value = integrated[i];
    let last = qrs.length > 0 ? qrs[qrs.length - 1] : -Infinity;
    // Before the first beat, the gap rules count from the start of the signal.
    const gapStart = Math.max(last, 0);

    const missedBeatGap =
      recentRr.length > 0
        ? (SEARCH_BACK_RR_FACTOR * recentRr.reduce((a, b) => a + b, 0)) / recentRr.length
        : initialMissedBeatGap;
    if (i - gapStart > missedBeatGap) {
      // Search-back: the best sub-threshold peak since the last beat is taken if it clears half the
      // threshold, recovering a beat missed because a few large complexes had pushed the threshold up.
      const threshold = noiseLevel + 0.25 * (signalLevel - noiseLevel);
      if (searchBackCandidate >= 0 && integrated[searchBackCandidate] > 0.5 * threshold) {
        raiseSignalLevel(integrated[searchBackCandidate], 0.25);
        accept(searchBackCandidate);
        last = searchBackCandidate;
      } else if (i - Math.max(gapStart, lastDecay) > missedBeatGap) {
        // Nothing to recover: the levels are wrong for this lead now (it lost amplitude, say), so
        // the signal level is halved once per missed-beat gap until beats clear the threshold again.
        signalLevel = Math.max(noiseLevel, 0.5 * signalLevel);
        lastDecay = i;
      }
    }

    const threshold = noiseLevel + 0.25 * (signalLevel - noiseLevel);
    if (value > threshold) {
      if (i - last < refractory) {
        // Two maxima of one integrated hump, or a hump split by noise: keep the larger.
        if (value > integrated[last]) {
          qrs[qrs.length - 1] = i;
          lastSlope = maxInWindow(slopeEnergy, i, qrsHalfWidth);
        }
        continue;
      }
      // Slope energy is squared slope, so half the slope is a quarter of the energy.
      if (
        i - last < tWaveWindow &&
        maxInWindow(slopeEnergy, i, qrsHalfWidth) < T_WAVE_SLOPE_RATIO * T_WAVE_SLOPE_RATIO * lastSlope
      ) {
        noiseLevel = 0.125 * value + 0.875 * noiseLevel;
        continue;
      }
      raiseSignalLevel(value, 0.125);
      accept(i);
    } else {
      noiseLevel = 0.125 * value + 0.875 * noiseLevel;
      if (i - last >= tWaveWindow && (searchBackCandidate < 0 || value > integrated[searchBackCandidate])) {
        searchBackCandidate = i;
      }
    }
  }
  return qrs;
}

// The paper learns from the first 2 s. The median of the maxima of every 2 s block is used
// instead, so that one artefact at the start (electrode settling) cannot set a threshold that
// hides every beat after it.
function learnLevels(integrated: Float64Array, blockLength: number): { signalLevel: number; noiseLevel: number } {
  const blockMaxima: number[] = [];
  let sum = 0;
  for (let start = 0; start < integrated.length; start += blockLength) {
    const end = Math.min(start + blockLength, integrated.length);
    // A short trailing block may hold no beat; it only counts when it is the whole signal.
    if (end - start < blockLength && blockMaxima.length > 0) break;
    let max = 0;
    for (let i = start; i < end; i++) {
      if (integrated[i] > max) max = integrated[i];
      sum += integrated[i];
    }
    blockMaxima.push(max);
  }
  return { signalLevel: median(blockMaxima), noiseLevel: (0.5 * sum) / integrated.length };
}

function quietLevel(integrated: Float64Array, samplingRateHz: number): number {
  // The integrated signal is smooth over 150 ms, so one value per 10 ms describes its distribution.
  const step = Math.max(1, Math.floor(samplingRateHz / 100));
  const values = new Float64Array(Math.ceil(integrated.length / step));
  for (let i = 0, j = 0; i < integrated.length; i += step, j++) values[j] = integrated[i];
  return select(values, Math.floor(QUIET_QUANTILE * (values.length - 1)));
}

// Hoare's selection (the k-th smallest value, reordering `values`): O(n) on average where a sort
// would be O(n log n).
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k];
}

function maxInWindow(values: Float64Array, centre: number, halfWidth: number): number {
  const end = Math.min(values.length - 1, centre + halfWidth);
  let max = 0;
  for (let i = Math.max(0, centre - halfWidth); i <= end; i++) if (values[i] > max) max = values[i];
  return max;
}

// The integrated hump marks the QRS only to within tens of milliseconds. Each detection is moved
// to the extreme of the band-passed signal in the lead's dominant QRS direction, so an inverted
// lead (aVR) lands on its negative R wave and every beat of a lead lands on the same wave.
function locateRWaves(detections: number[], bandPassed: Float64Array, samplingRateHz: number): number[] {
  const halfWidth = Math.round(QRS_HALF_WIDTH_S * samplingRateHz);
  const n = bandPassed.length;

  let polarityVote = 0;
  for (const detection of detections) {
    let extreme = 0;
    for (let i = Math.max(0, detection - halfWidth); i <= Math.min(n - 1, detection + halfWidth); i++) {
      if (Math.abs(bandPassed[i]) > Math.abs(extreme)) extreme = bandPassed[i];
    }
    polarityVote += Math.sign(extreme);
  }
  const polarity = polarityVote >= 0 ? 1 : -1;

  const refractory = Math.round(REFRACTORY_S * samplingRateHz);
  const peaks: number[] = [];
  for (const detection of detections) {
    let best = Math.max(0, detection - halfWidth);
    for (let i = best + 1; i <= Math.min(n - 1, detection + halfWidth); i++) {
      if (polarity * bandPassed[i] > polarity * bandPassed[best]) best = i;
    }
    // Two detections can converge on one wave; keep one beat per refractory period.
    const previous = peaks.length > 0 ? peaks[peaks.length - 1] : -Infinity;
    if (best - previous >= refractory) {
      peaks.push(best);
    } else if (polarity * bandPassed[best] > polarity * bandPassed[previous]) {
      peaks[peaks.length - 1] = best;
    }
  }
  return peaks;
}
