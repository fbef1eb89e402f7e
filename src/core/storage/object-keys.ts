import { InvalidObjectKeyError } from './object-storage';

// Lower-case ASCII only: the same key must name the same object on a case-insensitive local
// filesystem and on S3, and needs no escaping in paths, URLs or signatures.
const KEY_PATTERN = /^[a-z0-9][a-z0-9/._-]*$/;
const SEGMENT_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

export function assertValidKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new InvalidObjectKeyError(`Invalid object key ${quote(key)}: ${problem}`);
}

/** A prefix for `list` / `deletePrefix`: a key, or the start of one, optionally ending in `/`. */
export function assertValidPrefix(prefix: string, { allowEmpty = false } = {}): void {
  if (prefix === '' && allowEmpty) return;
  const problem = keyProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  if (problem) throw new InvalidObjectKeyError(`Invalid object key prefix ${quote(prefix)}: ${problem}`);
}

/**
 * Joins ids and fixed words into a key: `objectKey('jobs', job.id, 'input')`. Each segment is
 * checked on its own so a value with a `/` cannot add levels; user-supplied file names belong in
 * the database, not here.
 */
export function objectKey(...segments: string[]): string {
  if (segments.length === 0) throw new InvalidObjectKeyError('An object key needs at least one segment');
  for (const segment of segments) {
    if (!SEGMENT_PATTERN.test(segment)) {
      throw new InvalidObjectKeyError(`Invalid object key segment ${quote(segment)}: expected [a-z0-9][a-z0-9._-]*`);
    }
  }
  const key = segments.join('/');
  assertValidKey(key);
  return key;
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'empty';
  if (key.length > MAX_KEY_LENGTH) return `longer than ${MAX_KEY_LENGTH} characters`;
  if (!KEY_PATTERN.test(key)) return 'expected [a-z0-9][a-z0-9/._-]*';
  // Empty, `.` and `..` segments would alias or escape directories on the local driver.
  for (const segment of key.split('/')) {
    if (segment === '') return 'empty segment';
    if (segment === '.' || segment === '..') return `"${segment}" segment`;
  }
  return undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
