import { runAnalyses } from '../analyses';
import type { EcgAnalysisJob, EcgAnalysisOutcome } from './ecg-analysis-job';

/**
 * Piscina's entry point: one ECG's analyses, off the event loop that answers HTTP and acks
 * messages. A throwing analysis is answered as an outcome, not thrown, so the service can tell a
 * deterministic analysis bug (dead-letter) from a thread that died (retry).
 */
export default function analyseEcg(job: EcgAnalysisJob): EcgAnalysisOutcome {
  try {
    return { ok: true, result: runAnalyses(job.leads, { samplingRateHz: job.samplingRateHz }) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
