export interface LeadInput {
  name: string;
  samples: Int32Array;
}

export interface AnalysisContext {
  samplingRateHz?: number;
}

// Keys are snake_case because they go out unchanged as fields of the lead in the API answer.
export type LeadResult = Record<string, number | null>;

export interface EcgAnalysis {
  // snake_case and unique across the registry; used in error messages and logs.
  readonly name: string;
  analyseLead(lead: LeadInput, context: AnalysisContext): LeadResult;
  // Combines the per-lead results into ECG-level fields (e.g. heart_rate_bpm); {} when there is
  // nothing to say at ECG level.
  summarise?(
    perLead: { lead: LeadInput; result: LeadResult }[],
    context: AnalysisContext,
  ): Record<string, number | null>;
}
