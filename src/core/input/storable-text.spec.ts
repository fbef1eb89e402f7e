import { containsNul, toStorableText } from './storable-text';

describe('toStorableText', () => {
  it('replaces NUL and lone surrogates, keeps everything else', () => {
    expect(toStorableText('a\u0000b.jsonl')).toBe('a\ufffdb.jsonl');
    expect(toStorableText('x\ud800y\udc00')).toBe('x\ufffdy\ufffd');
    expect(toStorableText('naïve-日本-😀.jsonl')).toBe('naïve-日本-😀.jsonl');
    expect(containsNul('a\u0000')).toBe(true);
    expect(containsNul('a')).toBe(false);
  });
});
