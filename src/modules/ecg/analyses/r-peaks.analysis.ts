import type { AnalysisContext, EcgAnalysis, LeadInput, LeadResult } from './ecg-analysis';
import { detectRPeaks, median, MIN_SAMPLING_RATE_HZ } from './r-peak.detector';

// Lead II is the conventional rhythm lead: the R wave is usually tall and upright there.
const RHYTHM_LEAD = 'II';
// How far lead II may sit from the median of all leads and still be reported as the ECG's rate.
const RHYTHM_LEAD_TOLERANCE = 0.1;

export class RPeaksAnalysis implements EcgAnalysis {
  readonly name = 'r_peaks';

  analyseLead({ samples }: LeadInput, { samplingRateHz }: AnalysisContext): LeadResult {
    // Without a sampling rate, sample distances cannot be turned into time: no detection at all
    // rather than a count nobody can interpret.
    if (samplingRateHz === undefined || !(samplingRateHz >= MIN_SAMPLING_RATE_HZ)) {
      return { r_peak_count: null, heart_rate_bpm: null };
    }
    const peaks = detectRPeaks(samples, samplingRateHz);
    return { r_peak_count: peaks.length, heart_rate_bpm: heartRate(peaks, samplingRateHz) };
  }

  // Lead II when it agrees with the other leads, the median of all leads otherwise: the rhythm lead
  // is what a clinician reads, but one noisy lead must not outvote eleven that agree.
  summarise(perLead: { lead: LeadInput; result: LeadResult }[]): Record<string, number | null> {
    const rates = perLead
      .map(({ result }) => result.heart_rate_bpm)
      .filter((rate): rate is number => typeof rate === 'number' && Number.isFinite(rate));
    if (rates.length === 0) return { heart_rate_bpm: null };

    const consensus = median(rates);
    const rhythmLeadRate = perLead.find(({ lead }) => lead.name === RHYTHM_LEAD)?.result.heart_rate_bpm;
    const rhythmLeadAgrees =
      typeof rhythmLeadRate === 'number' && Math.abs(rhythmLeadRate - consensus) <= RHYTHM_LEAD_TOLERANCE * consensus;
    if (rhythmLeadAgrees) return { heart_rate_bpm: rhythmLeadRate };
    return { heart_rate_bpm: roundToTenth(consensus) };
  }
}

// The median RR interval rather than the mean, so one missed or extra beat moves the rate by a
// fraction of a bpm instead of by the full error of that interval.
function heartRate(peaks: number[], samplingRateHz: number): number | null {
  if (peaks.length < 2) return null;
  const intervals: number[] = [];
  for (let i = 1; i < peaks.length; i++) intervals.push(peaks[i] - peaks[i - 1]);
  return roundToTenth((60 * samplingRateHz) / median(intervals));
}

// More digits would be noise: one sample of R-peak jitter at 1 kHz already moves 72 bpm by 0.1.
function roundToTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
