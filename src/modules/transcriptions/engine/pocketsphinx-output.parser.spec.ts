import { parsePocketsphinxOutput } from './pocketsphinx-output.parser';

// Real output of `pocketsphinx_continuous -infile x.wav -time yes -logfn /dev/null` on two
// utterances, with a filler, an alternative pronunciation and a confidence above 1.
const TWO_UTTERANCES = `the quick brown fox
<s> 0.100 0.120 1.000400
the 0.130 0.280 0.694376
quick 0.290 0.560 0.128499
brown 0.570 0.910 0.541956
fox 0.920 1.290 1.000500
</s> 1.300 1.400 1.000000
she read(2) it
<s> 2.000 2.050 1.000000
she 2.060 2.300 0.927643
[NOISE] 2.310 2.400 0.500000
<sil> 2.410 2.500 0.633020
read(2) 2.510 2.800 0.800000
it 2.810 3.000 0.900000
</s> 3.010 3.100 1.000000
`;

describe('parsePocketsphinxOutput', () => {
  const parsed = parsePocketsphinxOutput(TWO_UTTERANCES);

  it('makes one segment per utterance, timed by its first and last word', () => {
    expect(parsed.segments).toEqual([
      { start_s: 0.13, end_s: 1.29, text: 'the quick brown fox' },
      { start_s: 2.06, end_s: 3, text: 'she read it' },
    ]);
  });

  it('joins the segments into the text', () => {
    expect(parsed.text).toBe('the quick brown fox she read it');
  });

  it('drops <s>, </s>, <sil> and [NOISE], and the (2) of alternative pronunciations', () => {
    expect(parsed.words.map((w) => w.word)).toEqual(['the', 'quick', 'brown', 'fox', 'she', 'read', 'it']);
  });

  it('keeps each word with its times and a confidence clamped to 0..1', () => {
    expect(parsed.words[3]).toEqual({ word: 'fox', start_s: 0.92, end_s: 1.29, confidence: 1 });
    expect(parsed.words[1].confidence).toBeCloseTo(0.128, 3);
  });

  it('answers an empty transcript for empty output (silence)', () => {
    expect(parsePocketsphinxOutput('')).toEqual({ text: '', segments: [], words: [] });
    expect(parsePocketsphinxOutput('\n<s> 0.0 0.5 1.0\n</s> 0.5 1.0 1.0\n')).toEqual({ text: '', segments: [], words: [] });
  });

  it('splits utterances even without </s> lines, at the next hypothesis line', () => {
    const parsed = parsePocketsphinxOutput('hello\nhello 0.1 0.5 0.9\nworld\nworld 1.0 1.4 0.9\n');
    expect(parsed.segments.map((s) => s.text)).toEqual(['hello', 'world']);
  });

  it('handles CRLF output', () => {
    expect(parsePocketsphinxOutput('hi\r\nhi 0.1 0.2 0.5\r\n').text).toBe('hi');
  });
});
