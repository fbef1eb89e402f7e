import { assertValidKey, assertValidPrefix, objectKey } from './object-keys';
import { InvalidObjectKeyError } from './object-storage';

const uuid = '0b9e5a52-8c1f-4a57-9f7e-3d2c1b0a9f8e';

describe('assertValidKey', () => {
  it.each(['a', 'jobs/' + uuid + '/input', 'series/42/chunk-0001.bin', 'a/.hidden', 'a/b_c/d-e.f', 'x'.repeat(512)])(
    'accepts %j',
    (key) => {
      expect(() => assertValidKey(key)).not.toThrow();
    },
  );

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(513)],
    ['upper case', 'Jobs/1'],
    ['a leading slash', '/jobs/1'],
    ['a leading dot', '.tmp/x'],
    ['a trailing slash', 'jobs/1/'],
    ['a double slash', 'jobs//1'],
    ['a dot segment', 'jobs/./1'],
    ['a dot-dot segment', 'jobs/../../etc/passwd'],
    ['a space', 'jobs/my file.pdf'],
    ['a backslash', 'jobs\\1'],
    ['non-ASCII', 'jobs/ü'],
    ['a NUL byte', 'jobs/1\0'],
  ])('rejects a key with %s', (_, key) => {
    expect(() => assertValidKey(key)).toThrow(InvalidObjectKeyError);
  });
});

describe('assertValidPrefix', () => {
  it.each(['jobs/', 'jobs/1', 'jobs/' + uuid + '/'])('accepts %j', (prefix) => {
    expect(() => assertValidPrefix(prefix)).not.toThrow();
  });

  it('accepts the empty prefix only when asked to, so deletePrefix cannot wipe everything', () => {
    expect(() => assertValidPrefix('', { allowEmpty: true })).not.toThrow();
    expect(() => assertValidPrefix('')).toThrow(InvalidObjectKeyError);
  });

  it.each(['/', '../', 'jobs//', 'Jobs/'])('rejects %j', (prefix) => {
    expect(() => assertValidPrefix(prefix, { allowEmpty: true })).toThrow(InvalidObjectKeyError);
  });
});

describe('objectKey', () => {
  it('joins ids and fixed words with slashes', () => {
    expect(objectKey('jobs', uuid, 'input')).toBe(`jobs/${uuid}/input`);
  });

  it.each([
    ['a slash, which would add a level', 'a/b'],
    ['a dot-dot segment', '..'],
    ['an empty segment', ''],
    ['a user file name', 'Scan 2024.PDF'],
    ['an upper-case UUID', uuid.toUpperCase()],
  ])('rejects a segment with %s', (_, segment) => {
    expect(() => objectKey('jobs', segment)).toThrow(InvalidObjectKeyError);
  });

  it('rejects no segments and keys past the length limit', () => {
    expect(() => objectKey()).toThrow(InvalidObjectKeyError);
    expect(() => objectKey('x'.repeat(300), 'y'.repeat(300))).toThrow(InvalidObjectKeyError);
  });
});
