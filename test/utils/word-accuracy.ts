import { wordErrorRate } from '../../src/modules/transcriptions/engine/word-error-rate';

/** 1 − word error rate, floored at 0: the share of what was said that the transcript got right. */
export function wordAccuracy(reference: string, hypothesis: string): number {
  return Math.max(0, 1 - wordErrorRate(reference, hypothesis));
}
