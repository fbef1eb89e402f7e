import type { runAnalyses } from '../analyses';

/** What the analysis thread receives: one ECG's signals and its sampling rate. */
export interface EcgAnalysisJob {
  leads: { name: string; samples: Int32Array }[];
  samplingRateHz?: number;
}

export type EcgAnalysisResult = ReturnType<typeof runAnalyses>;

export type EcgAnalysisOutcome = { ok: true; result: EcgAnalysisResult } | { ok: false; message: string };
