import { exceedsDepth, inspectJson, MAX_JSON_DEPTH } from './json-inspection';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = i % 2 ? { a: value } : [value];
  return value;
};

describe('inspectJson', () => {
  it('accepts a value exactly at the depth limit and refuses one level more', () => {
    expect(inspectJson(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(inspectJson(nested(MAX_JSON_DEPTH + 1))).toEqual({ kind: 'too_deep', maxDepth: MAX_JSON_DEPTH });
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(inspectJson(deep)).toEqual({ kind: 'too_deep', maxDepth: MAX_JSON_DEPTH });
  });

  it('names the path of a NUL in a value or a key', () => {
    expect(inspectJson({ leads: [{ name: 'I\u0000' }] })).toEqual({ kind: 'nul', path: 'leads[0].name' });
    expect(inspectJson({ a: { 'b\u0000': 1 } })).toEqual({ kind: 'nul', path: 'a.b\\u0000' });
    expect(inspectJson('x\u0000', { root: 'id' })).toEqual({ kind: 'nul', path: 'id' });
    expect(inspectJson({ q: 'a\u0000' }, { checkText: false })).toBeUndefined();
  });

  it('refuses prototype-named keys only when asked', () => {
    const body = JSON.parse('{"user":{"__proto__":{"admin":true}}}');
    expect(inspectJson(body, { rejectReservedKeys: true })).toEqual({ kind: 'reserved_key', path: 'user.__proto__' });
    expect(inspectJson({ constructor: 'x' }, { rejectReservedKeys: true })).toEqual({ kind: 'reserved_key', path: 'constructor' });
    expect(inspectJson(body)).toBeUndefined();
  });

  it('skips typed arrays and primitives', () => {
    expect(inspectJson({ signal: new Int32Array(1000) })).toBeUndefined();
    expect(inspectJson(42)).toBeUndefined();
    expect(inspectJson(null)).toBeUndefined();
  });

  it('exceedsDepth agrees with the walk on depth', () => {
    expect(exceedsDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsDepth(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toBe(true);
    expect(exceedsDepth({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: [1, { b: {} }] }, 3)).toBe(true);
  });
});
