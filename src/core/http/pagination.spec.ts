import { decodeCursor, encodeCursor, InvalidCursorError } from './pagination';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursor codec', () => {
  it('round-trips what it issued', () => {
    const key = { created_at: '2024-05-01T12:00:00.000Z', id: '0b6f5c0e-3c3a-4d7e-9f43-8b0c8f1b2a11' };
    expect(decodeCursor(encodeCursor(key), { created_at: 'instant', id: 'uuid' })).toEqual(key);
    expect(decodeCursor(encodeCursor({ line: 42 }), { line: 'int' })).toEqual({ line: 42 });
    expect(decodeCursor(undefined, { line: 'int' })).toBeUndefined();
  });

  const JOB_KEY = { created_at: 'instant', id: 'uuid' } as const;
  it.each([
    ['not base64 JSON', 'garbage!', { line: 'int' }],
    ['a JSON array', forge([1]), { line: 'int' }],
    ['null', forge(null), { line: 'int' }],
    ['a string line', forge({ line: '1' }), { line: 'int' }],
    ['a huge line', forge({ line: 1e300 }), { line: 'int' }],
    ['a negative line', forge({ line: -1 }), { line: 'int' }],
    ['a fractional line', forge({ line: 1.5 }), { line: 'int' }],
    ['an extra field', forge({ line: 1, x: 1 }), { line: 'int' }],
    ['a missing field', forge({ x: 1 }), { line: 'int' }],
    ['a non-UUID id', forge({ created_at: '2024-05-01T12:00:00.000Z', id: "1' OR 1=1" }), JOB_KEY],
    ['an unreadable instant', forge({ created_at: '2024-W01-1', id: '0b6f5c0e-3c3a-4d7e-9f43-8b0c8f1b2a11' }), JOB_KEY],
  ] as const)('refuses %s with 422 INVALID_CURSOR', (_, cursor, spec) => {
    expect(() => decodeCursor(cursor, spec)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(cursor, spec)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR', kind: 'validation' }));
  });

  it('text and number fields refuse NUL, objects and non-finite values', () => {
    expect(decodeCursor(forge({ k: 'abc' }), { k: 'text' })).toEqual({ k: 'abc' });
    expect(() => decodeCursor(forge({ k: 'a\u0000' }), { k: 'text' })).toThrow(InvalidCursorError);
    expect(() => decodeCursor(forge({ k: { a: 1 } }), { k: 'text' })).toThrow(InvalidCursorError);
    expect(decodeCursor(forge({ rank: 0.25 }), { rank: 'number' })).toEqual({ rank: 0.25 });
    expect(() => decodeCursor(forge({ rank: '0.25' }), { rank: 'number' })).toThrow(InvalidCursorError);
    expect(() => decodeCursor(forge({ rank: null }), { rank: 'number' })).toThrow(InvalidCursorError);
  });
});
