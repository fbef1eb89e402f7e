import { BasicStatsAnalysis } from './basic-stats.analysis';
import type { AnalysisContext, EcgAnalysis, LeadInput, LeadResult } from './ecg-analysis';
import { RPeaksAnalysis } from './r-peaks.analysis';
import { ZeroCrossingsAnalysis } from './zero-crossings.analysis';

// Adding an analysis is one class and one line here; its keys appear on every lead of the answer.
export const ECG_ANALYSES: readonly EcgAnalysis[] = Object.freeze([
  new ZeroCrossingsAnalysis(),
  new BasicStatsAnalysis(),
  new RPeaksAnalysis(),
]);

assertUniqueNames(ECG_ANALYSES);

// Fields every lead row already has; an analysis returning one of them would overwrite it.
const RESERVED_LEAD_KEYS = ['name', 'number_of_samples'];

type LeadRow = { name: string; number_of_samples: number } & LeadResult;

export function runAnalyses(
  leads: LeadInput[],
  context: AnalysisContext,
  analyses: readonly EcgAnalysis[] = ECG_ANALYSES,
): { leads: LeadRow[]; summary: Record<string, number | null> } {
  // Keys are only known once an analysis has run, so collisions are caught here, on every run,
  // and by the registry's unit test before they can reach a worker.
  const leadKeyOwners = new Map<string, string>(RESERVED_LEAD_KEYS.map((key) => [key, 'runAnalyses']));
  const perAnalysis = analyses.map(() => [] as { lead: LeadInput; result: LeadResult }[]);

  const rows = leads.map((lead) => {
    // TypeScript checks the literal's `name` against LeadResult's index signature as well, hence
    // the cast; RESERVED_LEAD_KEYS is what stops an analysis from overwriting these two fields.
    const row = { name: lead.name, number_of_samples: lead.samples.length } as LeadRow;
    analyses.forEach((analysis, index) => {
      const result = analysis.analyseLead(lead, context);
      mergeClaimed(row, result, analysis.name, leadKeyOwners, 'lead');
      perAnalysis[index].push({ lead, result });
    });
    return row;
  });

  const summary: Record<string, number | null> = {};
  const summaryKeyOwners = new Map<string, string>();
  analyses.forEach((analysis, index) => {
    if (!analysis.summarise) return;
    const fields = analysis.summarise(perAnalysis[index], context);
    mergeClaimed(summary, fields, analysis.name, summaryKeyOwners, 'summary');
  });

  return { leads: rows, summary };
}

function mergeClaimed(
  target: Record<string, unknown>,
  fields: Record<string, number | null>,
  analysisName: string,
  owners: Map<string, string>,
  where: 'lead' | 'summary',
): void {
  for (const [key, value] of Object.entries(fields)) {
    const owner = owners.get(key);
    if (owner !== undefined && owner !== analysisName) {
      throw new Error(`ECG analysis "${analysisName}" writes ${where} key "${key}", already written by ${owner}`);
    }
    owners.set(key, analysisName);
    target[key] = value;
  }
}

function assertUniqueNames(analyses: readonly EcgAnalysis[]): void {
  const seen = new Set<string>();
  for (const { name } of analyses) {
    if (seen.has(name)) throw new Error(`Two ECG analyses are named "${name}"`);
    seen.add(name);
  }
}
