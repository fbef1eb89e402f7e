import type { EcgAnalysis, LeadInput, LeadResult } from './ecg-analysis';

export class ZeroCrossingsAnalysis implements EcgAnalysis {
  readonly name = 'zero_crossings';

  analyseLead({ samples }: LeadInput): LeadResult {
    // Zeros are skipped rather than counted as a sign of their own (DESIGN.md): [-5, 0, 5] crosses
    // once and [-1, 0, -1] only touches zero. Remembering the last non-zero sign gives that in one
    // pass without building the filtered array.
    let crossings = 0;
    let previousSign = 0;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i];
      if (sample === 0) continue;
      const sign = sample > 0 ? 1 : -1;
      if (previousSign !== 0 && sign !== previousSign) crossings++;
      previousSign = sign;
    }
    return { zero_crossings: crossings };
  }
}
