import type { EcgAnalysis, LeadInput, LeadResult } from './ecg-analysis';

export class BasicStatsAnalysis implements EcgAnalysis {
  readonly name = 'basic_stats';

  analyseLead({ samples }: LeadInput): LeadResult {
    // The API refuses empty signals; null keeps a direct caller from getting Infinity or NaN.
    if (samples.length === 0) return { min: null, max: null, mean: null };

    let min = samples[0];
    let max = samples[0];
    // A float64 adds integers exactly up to 2^53. Int32 samples are at most 2^31 in magnitude, so
    // the sum is exact for up to 2^22 (about 4.2 million) samples, 70 minutes at 1 kHz, far beyond
    // a 60 s ECG; an int32 accumulator would wrap after two full-scale samples.
    let sum = 0;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i];
      if (sample < min) min = sample;
      if (sample > max) max = sample;
      sum += sample;
    }
    return { min, max, mean: sum / samples.length };
  }
}
