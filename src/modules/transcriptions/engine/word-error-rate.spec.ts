import { errorRate, normaliseWords, wordErrorRate, wordErrors } from './word-error-rate';

describe('word error rate', () => {
  it('is 0 for the same words, whatever the case and punctuation', () => {
    expect(wordErrorRate('He was not an ill-disposed young man.', 'he was not an ill disposed young man')).toBe(0);
    expect(normaliseWords("  Don't STOP, 'now'! ")).toEqual(["don't", 'stop', 'now']);
  });

  it('counts a substitution, a deletion and an insertion once each', () => {
    expect(wordErrors('he was not an ill disposed young man', 'he was not an illness disposed young man')).toEqual({
      referenceWords: 8,
      substitutions: 1,
      deletions: 0,
      insertions: 0,
    });
    expect(wordErrors('he might even have been made', 'he might have been made')).toMatchObject({ substitutions: 0, deletions: 1, insertions: 0 });
    expect(wordErrors('he might have been made', 'he might oh have been made')).toMatchObject({ substitutions: 0, deletions: 0, insertions: 1 });
    // pocketsphinx's real answer on a LibriVox clip: "ill disposed" heard as "illness those" (2 substitutions).
    expect(wordErrorRate('he was not an ill disposed young man', 'he was not an illness those young man')).toBeCloseTo(2 / 8);
  });

  it('exceeds 1 when the engine invents more words than were said, and scores silence as every word missed', () => {
    expect(wordErrorRate('ten of clubs', 'then of the clubs and more words here')).toBeGreaterThan(1);
    expect(wordErrorRate('ten of clubs', '')).toBe(1);
    expect(wordErrorRate('', '')).toBe(0);
    expect(wordErrorRate('', 'noise')).toBe(1);
  });

  it('weighs every word once over a corpus, not every clip', () => {
    const short = wordErrors('five five', 'nine nine'); // 2 errors / 2 words
    const long = wordErrors('eight of spades four of clubs seven of hearts', 'eight of spades four of clubs seven of hearts'); // 0 / 9
    expect(errorRate(short, long)).toBeCloseTo(2 / 11);
    expect((errorRate(short) + errorRate(long)) / 2).toBeCloseTo(0.5); // the mean of clip rates would say 50 %
  });
});
