import { syntheticEcg } from '../../../../test/factories/ecg-signal.factory';
import type { EcgAnalysis, LeadInput } from './ecg-analysis';
import { ECG_ANALYSES, runAnalyses } from './index';

const lead = (name: string, values: number[]): LeadInput => ({ name, samples: Int32Array.from(values) });

describe('ECG_ANALYSES registry', () => {
  it('gives every analysis a unique snake_case name', () => {
    const names = ECG_ANALYSES.map(({ name }) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it('has no two analyses writing the same lead key, and none writing name or number_of_samples', () => {
    const sample = { name: 'II', samples: syntheticEcg({ bpm: 72, samplingRateHz: 500, durationS: 5, seed: 1 }) };
    const owners = new Map<string, string>([
      ['name', 'lead'],
      ['number_of_samples', 'lead'],
    ]);
    for (const analysis of ECG_ANALYSES) {
      for (const key of Object.keys(analysis.analyseLead(sample, { samplingRateHz: 500 }))) {
        expect({ key, owner: owners.get(key) }).toEqual({ key, owner: undefined });
        expect(key).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
        owners.set(key, analysis.name);
      }
    }
  });
});

describe('runAnalyses', () => {
  it('merges every analysis into one row per lead, in lead order', () => {
    const { leads } = runAnalyses([lead('I', [1, -1, 1, -1, 1, -1, 0, -1, 0, 1]), lead('aVR', [-5, 0, 5])], {});
    expect(leads).toEqual([
      { name: 'I', number_of_samples: 10, zero_crossings: 6, min: -1, max: 1, mean: 0, r_peak_count: null, heart_rate_bpm: null },
      { name: 'aVR', number_of_samples: 3, zero_crossings: 1, min: -5, max: 5, mean: 0, r_peak_count: null, heart_rate_bpm: null },
    ]);
  });

  it('reports the ECG heart rate from lead II of a three-lead 72 bpm recording at 500 Hz', () => {
    const options = { bpm: 72, samplingRateHz: 500, durationS: 15, noiseAmplitude: 40 };
    const result = runAnalyses(
      [
        { name: 'I', samples: syntheticEcg({ ...options, amplitude: 600, seed: 1 }) },
        { name: 'II', samples: syntheticEcg({ ...options, seed: 2 }) },
        { name: 'aVR', samples: syntheticEcg({ ...options, amplitude: 800, invert: true, seed: 3 }) },
      ],
      { samplingRateHz: 500 },
    );
    expect(Math.abs((result.summary.heart_rate_bpm as number) - 72)).toBeLessThanOrEqual(2);
    expect(result.summary.heart_rate_bpm).toBe(result.leads[1].heart_rate_bpm);
    for (const row of result.leads) expect(row.r_peak_count).toBe(18);
  });

  it('reports a null ECG heart rate when the recording has no sampling rate', () => {
    expect(runAnalyses([lead('II', [1, 2, 3])], {}).summary).toEqual({ heart_rate_bpm: null });
  });

  it('refuses two analyses that write the same lead key', () => {
    const first: EcgAnalysis = { name: 'first', analyseLead: () => ({ amplitude: 1 }) };
    const second: EcgAnalysis = { name: 'second', analyseLead: () => ({ amplitude: 2 }) };
    expect(() => runAnalyses([lead('II', [1])], {}, [first, second])).toThrow(
      'ECG analysis "second" writes lead key "amplitude", already written by first',
    );
  });

  it('refuses an analysis that would overwrite the lead name or length', () => {
    const rogue: EcgAnalysis = { name: 'rogue', analyseLead: () => ({ number_of_samples: 0 }) };
    expect(() => runAnalyses([lead('II', [1])], {}, [rogue])).toThrow(/number_of_samples/);
  });

  it('refuses two analyses that write the same summary key', () => {
    const summarising = (name: string): EcgAnalysis => ({
      name,
      analyseLead: () => ({}),
      summarise: () => ({ heart_rate_bpm: 60 }),
    });
    expect(() => runAnalyses([lead('II', [1])], {}, [summarising('a'), summarising('b')])).toThrow(/heart_rate_bpm/);
  });

  it('hands each summarise only its own per-lead results', () => {
    const summarise = jest.fn(() => ({}));
    const counting: EcgAnalysis = { name: 'counting', analyseLead: ({ samples }) => ({ count: samples.length }), summarise };
    runAnalyses([lead('I', [1, 2]), lead('II', [3])], { samplingRateHz: 250 }, [...ECG_ANALYSES, counting]);
    expect(summarise).toHaveBeenCalledWith(
      [
        { lead: expect.objectContaining({ name: 'I' }), result: { count: 2 } },
        { lead: expect.objectContaining({ name: 'II' }), result: { count: 1 } },
      ],
      { samplingRateHz: 250 },
    );
  });

  it('returns no rows and an empty heart rate for an ECG without leads', () => {
    expect(runAnalyses([], { samplingRateHz: 500 })).toEqual({ leads: [], summary: { heart_rate_bpm: null } });
  });
});
