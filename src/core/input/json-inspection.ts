/**
 * One pass over a parsed JSON value, before anything recursive (class-transformer, the
 * validation pipe, JSON.stringify, jsonb) touches it. Iterative, so a body of 100,000 nested
 * `[` costs a loop, not the stack.
 *
 * - Nesting deeper than MAX_JSON_DEPTH: every route and every log line has the same documented
 *   limit (docs/reliability.md). No shape this API accepts comes near it.
 * - A NUL character in any string or key: PostgreSQL text and jsonb cannot hold U+0000, so the
 *   value could never be stored or matched.
 * - Optionally, keys that name prototype machinery (`__proto__`, `constructor`, `prototype`):
 *   class-transformer silently drops them, so they would slip past the "unknown property" check.
 */
export const MAX_JSON_DEPTH = 64;

export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonFinding =
  | { kind: 'too_deep'; maxDepth: number }
  | { kind: 'nul'; path: string }
  | { kind: 'reserved_key'; path: string };

export interface InspectOptions {
  maxDepth?: number;
  rejectReservedKeys?: boolean;
  /** Off: only the depth is checked (the body parser's guard, which runs for every route). */
  checkText?: boolean;
  /** Where the value sits, for paths in findings (`''` for a body, `'query'`...). */
  root?: string;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

const NUL = '\u0000';

export function inspectJson(value: unknown, options: InspectOptions = {}): JsonFinding | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const reserved = options.rejectReservedKeys === true;
  const text = options.checkText !== false;
  if (typeof value === 'string') return text && value.includes(NUL) ? { kind: 'nul', path: options.root ?? '' } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;

  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) return { kind: 'too_deep', maxDepth };
    const container = frame.value as object;
    // Typed arrays (packed ECG signals) hold numbers only.
    if (ArrayBuffer.isView(container)) continue;
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i += 1) {
        const item: unknown = container[i];
        if (typeof item === 'string') {
          if (text && item.includes(NUL)) return { kind: 'nul', path: pathOf(frame, i, options.root) };
        } else if (typeof item === 'object' && item !== null) {
          stack.push({ value: item, depth: frame.depth + 1, parent: frame, key: i });
        }
      }
      continue;
    }
    for (const key of Object.keys(container)) {
      if (text && key.includes(NUL)) return { kind: 'nul', path: pathOf(frame, key.split(NUL).join('\\u0000'), options.root) };
      if (reserved && RESERVED_KEYS.has(key)) return { kind: 'reserved_key', path: pathOf(frame, key, options.root) };
      const item: unknown = (container as Record<string, unknown>)[key];
      if (typeof item === 'string') {
        if (text && item.includes(NUL)) return { kind: 'nul', path: pathOf(frame, key, options.root) };
      } else if (typeof item === 'object' && item !== null) {
        stack.push({ value: item, depth: frame.depth + 1, parent: frame, key });
      }
    }
  }
  return undefined;
}

/** `leads[0].name`-style path, as validation errors name fields. */
function pathOf(frame: Frame, last: string | number, root = ''): string {
  const keys: (string | number)[] = [last];
  for (let f: Frame | undefined = frame; f && f.key !== undefined; f = f.parent) keys.unshift(f.key);
  return keys.reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key), root);
}

/**
 * Depth only, for hot paths (one call per ingested log line): plain recursion, which is safe
 * because it stops at `maxDepth`, and allocates nothing.
 */
export function exceedsDepth(value: unknown, maxDepth = MAX_JSON_DEPTH, depth = 1): boolean {
  // Typed arrays (a body parser's packed numbers, see BodyLimit.parseJson) hold numbers only.
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (depth > maxDepth) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null && exceedsDepth(item, maxDepth, depth + 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && exceedsDepth(item, maxDepth, depth + 1)) return true;
  }
  return false;
}
