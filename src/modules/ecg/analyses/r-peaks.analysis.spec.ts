import { syntheticEcgWithBeats, type SyntheticEcgOptions } from '../../../../test/factories/ecg-signal.factory';
import type { LeadInput, LeadResult } from './ecg-analysis';
import { RPeaksAnalysis } from './r-peaks.analysis';

const analysis = new RPeaksAnalysis();
// A resting ECG as a cart records it: some noise and a few percent of beat-to-beat variability.
const noisy = { noiseAmplitude: 40, heartRateVariability: 0.03 };

function analyse(options: SyntheticEcgOptions, name = 'II') {
  const { samples, rPeaks } = syntheticEcgWithBeats(options);
  const result = analysis.analyseLead({ name, samples }, { samplingRateHz: options.samplingRateHz });
  return { result, expectedBeats: rPeaks.length };
}

function expectRhythm(options: SyntheticEcgOptions, name = 'II'): void {
  const { result, expectedBeats } = analyse(options, name);
  expect(result.heart_rate_bpm).not.toBeNull();
  expect(Math.abs((result.heart_rate_bpm as number) - options.bpm)).toBeLessThanOrEqual(2);
  expect(Math.abs((result.r_peak_count as number) - expectedBeats)).toBeLessThanOrEqual(1);
}

describe('RPeaksAnalysis per lead', () => {
  it('detects 60 bpm on a noisy lead II at 500 Hz', () => {
    expectRhythm({ ...noisy, bpm: 60, samplingRateHz: 500, durationS: 20, seed: 11 });
  });

  it('detects 72 bpm on a noisy lead II at 500 Hz', () => {
    expectRhythm({ ...noisy, bpm: 72, samplingRateHz: 500, durationS: 20, seed: 12 });
  });

  it('detects a 120 bpm tachycardia at 500 Hz without counting the T waves', () => {
    expectRhythm({ ...noisy, bpm: 120, samplingRateHz: 500, durationS: 15, seed: 13 });
  });

  it('detects 75 bpm on a Holter-style recording at 250 Hz', () => {
    expectRhythm({ ...noisy, bpm: 75, samplingRateHz: 250, durationS: 30, seed: 14 });
  });

  it('detects 90 bpm on a diagnostic recording at 1000 Hz', () => {
    expectRhythm({ ...noisy, bpm: 90, samplingRateHz: 1000, durationS: 10, seed: 15 });
  });

  it('detects 72 bpm on an inverted aVR lead', () => {
    expectRhythm({ bpm: 72, samplingRateHz: 500, durationS: 20, noiseAmplitude: 40, invert: true, seed: 16 }, 'aVR');
  });

  it('detects 72 bpm under baseline wander larger than the R wave', () => {
    expectRhythm({ bpm: 72, samplingRateHz: 500, durationS: 20, noiseAmplitude: 40, baselineWander: 1500, seed: 17 });
  });

  it('detects 72 bpm when noise is a quarter of the R wave', () => {
    expectRhythm({ bpm: 72, samplingRateHz: 500, durationS: 20, noiseAmplitude: 250, seed: 18 });
  });

  it('detects a 40 bpm bradycardia and a 180 bpm tachycardia', () => {
    expectRhythm({ bpm: 40, samplingRateHz: 500, durationS: 30, noiseAmplitude: 40, seed: 19 });
    expectRhythm({ bpm: 180, samplingRateHz: 500, durationS: 10, noiseAmplitude: 40, seed: 20 });
  });

  it('detects 72 bpm on a small lead whose R wave is only 150 units high', () => {
    const small = { bpm: 72, samplingRateHz: 500, durationS: 20, amplitude: 150, noiseAmplitude: 8, seed: 21 };
    expectRhythm(small, 'aVL');
  });

  it('reports nulls when the ECG has no sampling rate', () => {
    const { samples } = syntheticEcgWithBeats({ bpm: 72, samplingRateHz: 500, durationS: 10 });
    expect(analysis.analyseLead({ name: 'II', samples }, {})).toEqual({ r_peak_count: null, heart_rate_bpm: null });
  });

  it('reports nulls when the sampling rate is too low to resolve a QRS', () => {
    const { samples } = syntheticEcgWithBeats({ bpm: 72, samplingRateHz: 500, durationS: 10 });
    expect(analysis.analyseLead({ name: 'II', samples }, { samplingRateHz: 20 })).toEqual({
      r_peak_count: null,
      heart_rate_bpm: null,
    });
  });

  it('reports 0 peaks and no rate on a flat line', () => {
    const flat = { name: 'II', samples: new Int32Array(5000) };
    expect(analysis.analyseLead(flat, { samplingRateHz: 500 })).toEqual({ r_peak_count: 0, heart_rate_bpm: null });
    const offset = { name: 'II', samples: new Int32Array(5000).fill(2048) };
    expect(analysis.analyseLead(offset, { samplingRateHz: 500 })).toEqual({ r_peak_count: 0, heart_rate_bpm: null });
  });

  it('reports no rate rather than a made-up one on a lead that is only noise (electrode off)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { result } = analyse({ bpm: 72, samplingRateHz: 500, durationS: 20, amplitude: 0, noiseAmplitude: 50, seed });
      expect(result).toEqual({ r_peak_count: 0, heart_rate_bpm: null });
    }
  });

  it('reports one peak and no rate when the recording holds a single beat', () => {
    const { result } = analyse({ bpm: 40, samplingRateHz: 500, durationS: 1.2, noiseAmplitude: 20, seed: 22 });
    expect(result).toEqual({ r_peak_count: 1, heart_rate_bpm: null });
  });

  it('reports nulls on an empty lead', () => {
    expect(analysis.analyseLead({ name: 'II', samples: new Int32Array(0) }, { samplingRateHz: 500 })).toEqual({
      r_peak_count: 0,
      heart_rate_bpm: null,
    });
  });
});

describe('RPeaksAnalysis.summarise', () => {
  const lead = (name: string): LeadInput => ({ name, samples: new Int32Array(0) });
  const rate = (name: string, heartRate: number | null): { lead: LeadInput; result: LeadResult } => ({
    lead: lead(name),
    result: { r_peak_count: heartRate === null ? 0 : 10, heart_rate_bpm: heartRate },
  });

  it('reports lead II when it agrees with the other leads', () => {
    expect(analysis.summarise([rate('I', 71), rate('II', 72.4), rate('III', 74)])).toEqual({ heart_rate_bpm: 72.4 });
  });

  it('reports the median of the leads when lead II has no rate', () => {
    expect(analysis.summarise([rate('I', 71), rate('II', null), rate('III', 74), rate('V1', 72)])).toEqual({
      heart_rate_bpm: 72,
    });
  });

  it('reports the median of the leads when a noisy lead II disagrees with all the others', () => {
    expect(analysis.summarise([rate('I', 72), rate('II', 144), rate('III', 72), rate('aVF', 73)])).toEqual({
      heart_rate_bpm: 72.5,
    });
  });

  it('reports no rate when no lead has one', () => {
    expect(analysis.summarise([rate('I', null), rate('II', null)])).toEqual({ heart_rate_bpm: null });
    expect(analysis.summarise([])).toEqual({ heart_rate_bpm: null });
  });
});
