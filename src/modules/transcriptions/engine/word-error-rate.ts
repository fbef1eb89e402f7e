/** Lower-case words without punctuation, as speech-to-text engines write them. */
export function normaliseWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

export interface WordErrors {
  /** Words of the reference. */
  referenceWords: number;
  substitutions: number;
  deletions: number;
  insertions: number;
}

/**
 * The word-level edit between what was said and what the engine wrote: the minimum number of
 * substitutions, deletions and insertions (Levenshtein over words), ties broken towards
 * substitutions as NIST's sclite does.
 */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = normaliseWords(reference);
  const hyp = normaliseWords(hypothesis);
  type Cell = { cost: number; s: number; d: number; i: number };
  let previous: Cell[] = Array.from({ length: hyp.length + 1 }, (_, j) => ({ cost: j, s: 0, d: 0, i: j }));
  for (let r = 1; r <= ref.length; r++) {
    const row: Cell[] = [{ cost: r, s: 0, d: r, i: 0 }];
    for (let h = 1; h <= hyp.length; h++) {
      const diagonal = previous[h - 1];
      const same = ref[r - 1] === hyp[h - 1];
      const candidates: Cell[] = [
        { ...diagonal, cost: diagonal.cost + (same ? 0 : 1), s: diagonal.s + (same ? 0 : 1) },
        { ...previous[h], cost: previous[h].cost + 1, d: previous[h].d + 1 },
        { ...row[h - 1], cost: row[h - 1].cost + 1, i: row[h - 1].i + 1 },
      ];
      row[h] = candidates.reduce((best, c) => (c.cost < best.cost ? c : best));
    }
    previous = row;
  }
  const { s, d, i } = previous[hyp.length];
  return { referenceWords: ref.length, substitutions: s, deletions: d, insertions: i };
}

/**
 * Word error rate: (substitutions + deletions + insertions) / reference words. Can exceed 1 when
 * the engine invents words; an empty reference scores 0 for an empty hypothesis, else 1.
 */
export function wordErrorRate(reference: string, hypothesis: string): number {
  return errorRate(wordErrors(reference, hypothesis));
}

/** The rate of one count or of several summed: a corpus WER weighs every word once, not every clip. */
export function errorRate(...counts: WordErrors[]): number {
  const total = sumWordErrors(counts);
  const errors = total.substitutions + total.deletions + total.insertions;
  if (total.referenceWords === 0) return errors === 0 ? 0 : 1;
  return errors / total.referenceWords;
}

export function sumWordErrors(counts: WordErrors[]): WordErrors {
  return counts.reduce(
    (a, c) => ({
      referenceWords: a.referenceWords + c.referenceWords,
      substitutions: a.substitutions + c.substitutions,
      deletions: a.deletions + c.deletions,
      insertions: a.insertions + c.insertions,
    }),
    { referenceWords: 0, substitutions: 0, deletions: 0, insertions: 0 },
  );
}
