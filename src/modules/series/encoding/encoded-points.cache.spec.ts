import { ENCODED_POINTS_BUDGET_BYTES, EncodedPointsCache } from './encoded-points.cache';

const MB = 1024 * 1024;
const pieces = (mb: number) => [Buffer.alloc(mb * MB)];

describe('EncodedPointsCache', () => {
  it('answers what was kept, per series and format, until forgotten', () => {
    const cache = new EncodedPointsCache();
    const json = [Buffer.from('{"timestamp":"…"}')];
    cache.set('a', 'json', json);
    expect(cache.get('a', 'json')).toBe(json);
    expect(cache.get('a', 'csv')).toBeUndefined();
    expect(cache.get('b', 'json')).toBeUndefined();
    cache.forget('a');
    expect(cache.get('a', 'json')).toBeUndefined();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('drops the least recently used entries past its byte budget, and never keeps an oversized one', () => {
    const cache = new EncodedPointsCache();
    const size = ENCODED_POINTS_BUDGET_BYTES / MB / 4;
    for (const id of ['a', 'b', 'c', 'd']) cache.set(id, 'json', pieces(size));
    cache.get('a', 'json'); // a is now the most recently used
    cache.set('e', 'json', pieces(size));
    expect(cache.get('b', 'json')).toBeUndefined();
    expect(['a', 'c', 'd', 'e'].every((id) => cache.get(id, 'json') !== undefined)).toBe(true);
    expect(cache.size.bytes).toBeLessThanOrEqual(ENCODED_POINTS_BUDGET_BYTES);

    cache.set('huge', 'json', pieces(ENCODED_POINTS_BUDGET_BYTES / MB / 2 + 1));
    expect(cache.get('huge', 'json')).toBeUndefined();
  });
});
