import { syntheticEcgWithBeats, type SyntheticEcgOptions } from '../../../../test/factories/ecg-signal.factory';
import { detectRPeaks } from './r-peak.detector';

// Every detected peak matched to the nearest true R apex, in milliseconds.
function locationErrorsMs(detected: number[], truth: number[], samplingRateHz: number): number[] {
  return detected.map((peak) => (Math.min(...truth.map((r) => Math.abs(r - peak))) * 1000) / samplingRateHz);
}

// A 72 bpm lead II at 500 Hz unless a test says otherwise.
const leadAt500Hz = (options: Partial<SyntheticEcgOptions>) =>
  syntheticEcgWithBeats({ bpm: 72, samplingRateHz: 500, durationS: 10, ...options });

describe('detectRPeaks', () => {
  it.each([250, 500, 1000])('places every R peak within 5 ms of the true apex at %i Hz', (samplingRateHz) => {
    const { samples, rPeaks } = syntheticEcgWithBeats({
      bpm: 72,
      samplingRateHz,
      durationS: 10,
      noiseAmplitude: 40,
      heartRateVariability: 0.05,
      seed: 3,
    });
    const detected = detectRPeaks(samples, samplingRateHz);
    expect(detected).toHaveLength(rPeaks.length);
    expect(Math.max(...locationErrorsMs(detected, rPeaks, samplingRateHz))).toBeLessThanOrEqual(5);
  });

  it('lands on the negative R wave of an inverted lead, not on its positive S wave', () => {
    const { samples, rPeaks } = leadAt500Hz({ invert: true, seed: 4 });
    const detected = detectRPeaks(samples, 500);
    expect(Math.max(...locationErrorsMs(detected, rPeaks, 500))).toBeLessThanOrEqual(5);
    for (const peak of detected) expect(samples[peak]).toBeLessThan(-800);
  });

  it('ignores a large DC offset such as an unsigned ADC midpoint', () => {
    const { samples, rPeaks } = leadAt500Hz({ noiseAmplitude: 20, seed: 5 });
    const shifted = samples.map((sample) => sample + 32_768);
    expect(detectRPeaks(shifted, 500)).toEqual(detectRPeaks(samples, 500));
    expect(detectRPeaks(shifted, 500)).toHaveLength(rPeaks.length);
  });

  it('keeps finding beats after an electrode artefact ten times the R wave in the first second', () => {
    const { samples, rPeaks } = leadAt500Hz({ durationS: 20, noiseAmplitude: 20, seed: 6 });
    for (let i = 200; i < 260; i++) samples[i] += 10_000;
    const detected = detectRPeaks(samples, 500);
    const afterArtefact = rPeaks.filter((r) => r > 1000);
    const foundAfter = detected.filter((peak) => peak > 1000);
    expect(foundAfter).toHaveLength(afterArtefact.length);
  });

  it('recovers a beat whose QRS shrank to 40 % by searching back', () => {
    const { samples, rPeaks } = leadAt500Hz({ bpm: 60, durationS: 20, noiseAmplitude: 20, seed: 7 });
    // As a brief loss of electrode contact would; the threshold learnt from full beats misses it.
    const target = rPeaks[10];
    for (let i = target - 30; i <= target + 30; i++) samples[i] = Math.round(samples[i] * 0.4);
    const detected = detectRPeaks(samples, 500);
    expect(detected).toHaveLength(rPeaks.length);
    expect(detected.some((peak) => Math.abs(peak - target) <= 3)).toBe(true);
  });

  it('keeps counting beats after the lead loses two thirds of its amplitude for the last 10 s', () => {
    const { samples, rPeaks } = leadAt500Hz({ durationS: 30, noiseAmplitude: 10, seed: 9 });
    for (let i = 10_000; i < samples.length; i++) samples[i] = Math.round(samples[i] * 0.3);
    const detected = detectRPeaks(samples, 500);
    const expectedAfterDrop = rPeaks.filter((r) => r > 10_000).length;
    expect(Math.abs(detected.filter((peak) => peak > 10_000).length - expectedAfterDrop)).toBeLessThanOrEqual(1);
  });

  it.each([60, 100])('does not count peaked T waves (as in hyperkalaemia) as beats at %i bpm', (bpm) => {
    const { samples, rPeaks } = leadAt500Hz({
      bpm,
      durationS: 20,
      noiseAmplitude: 20,
      tWaveHeight: 0.8,
      tWaveWidthS: 0.025,
      seed: 10,
    });
    expect(detectRPeaks(samples, 500)).toHaveLength(rPeaks.length);
  });

  it('finds nothing on an empty, too short or flat lead', () => {
    expect(detectRPeaks(new Int32Array(0), 500)).toEqual([]);
    expect(detectRPeaks(Int32Array.from([5, 900]), 500)).toEqual([]);
    expect(detectRPeaks(new Int32Array(10_000).fill(-300), 500)).toEqual([]);
  });

  // Speed is measured by `npm run bench:ecg`, not asserted here: a wall-clock budget in a unit
  // test fails on a loaded machine without anything being wrong.
  it('finds every beat of a 60 s recording at 1 kHz', () => {
    const { samples, rPeaks } = syntheticEcgWithBeats({
      bpm: 72,
      samplingRateHz: 1000,
      durationS: 60,
      noiseAmplitude: 40,
      seed: 8,
    });
    expect(Math.abs(detectRPeaks(samples, 1000).length - rPeaks.length)).toBeLessThanOrEqual(1);
  });
});
