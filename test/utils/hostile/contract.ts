import type { Answer } from './raw-http';

// What must never leave the server: stack frames, source or install paths, SQL and driver errors.
const LEAKS: [string, RegExp][] = [
  ['stack frame', /\bat (?:async )?[\w$.<>[\] ]+ \(|\n\s+at /],
  ['source position', /\.(?:ts|js|mjs|cjs):\d+/],
  ['node_modules path', /node_modules/],
  ['server path', /(?:\/(?:work|srv|app|home|root|usr|opt|var|tmp)\/[\w.-]+\/)|[A-Z]:\\\\/],
  ['SQL', /\b(?:SELECT\s+[\w*"]+.*\s+FROM|INSERT\s+INTO|UPDATE\s+"?\w+"?\s+SET|DELETE\s+FROM)\b/i],
  ['database error', /QueryFailedError|syntax error at or near|violates \w+ constraint|invalid input syntax|relation "\w+"|unsupported Unicode escape|invalid byte sequence|out of range for type|SQLSTATE/i],
  ['stack trace field', /"stack(?:trace)?"\s*:/i],
  ['engine error', /Maximum call stack|RangeError|TypeError|ReferenceError|Cannot read properties of/],
];

export function findLeak(text: string): string | undefined {
  for (const [name, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match) return `${name}: …${text.slice(Math.max(0, match.index - 40), match.index + 80)}…`;
  }
  return undefined;
}

/**
 * The contract every answer keeps, whatever was sent: never a 5xx; every error is problem+json
 * with a stable UPPER_SNAKE `code` and its own status; nothing internal in any answer.
 * Answers the first broken rule, or undefined.
 */
export function contractViolation(answer: Answer): string | undefined {
  if (answer.status >= 500 || answer.status < 100) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  const leak = findLeak(answer.text) ?? findLeak(JSON.stringify(answer.headers));
  if (leak) return `leak (${leak})`;
  if (answer.status >= 400) {
    const type = String(answer.headers['content-type'] ?? '');
    if (!type.startsWith('application/problem+json')) return `status ${answer.status} answered as "${type}": ${answer.text.slice(0, 200)}`;
    let body: { status?: unknown; code?: unknown; title?: unknown; detail?: unknown };
    try {
      body = JSON.parse(answer.text);
    } catch {
      return `status ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
    }
    if (typeof body.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(body.code)) return `no stable code: ${answer.text.slice(0, 200)}`;
    if (body.status !== answer.status) return `problem status ${String(body.status)} differs from HTTP ${answer.status}`;
    if (typeof body.title !== 'string' || typeof body.detail !== 'string') return `problem without title/detail: ${answer.text.slice(0, 200)}`;
  }
  return undefined;
}
