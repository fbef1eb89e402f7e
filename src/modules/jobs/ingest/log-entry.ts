export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/**
 * One accepted line of an uploaded `.jsonl` log file (DESIGN.md §4, jobs).
 *
 * Line format: one JSON object per line, UTF-8. A line that breaks any rule below is rejected
 * with its 1-based line number and a reason; blank lines are skipped and not counted.
 *
 * - `timestamp` (required): a string, the RFC 3339 profile of ISO-8601 —
 *   `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`. Also accepted, because common loggers emit
 *   them and they stay unambiguous: `t`/space instead of `T`, `z` for `Z`, `,` before the
 *   fraction, 1–9 fraction digits (kept to the millisecond, the rest truncated), offsets written
 *   `±hhmm` or `±hh`. Rejected: a date without a time, a date-time without a zone (ECMAScript
 *   would read it in the worker's local zone, so the same file would ingest differently on
 *   another machine), week or ordinal dates, the basic format (`20240501T120000Z`), `24:00`,
 *   leap second `:60`, impossible dates (`2023-02-29`: `Date.parse` would roll it over to
 *   1 March), epoch numbers, and instants outside years 0001–9999 UTC (PostgreSQL would refuse
 *   or misread them). Stored as the instant it denotes; the original offset is not kept.
 * - `level` (required): DEBUG, INFO, WARNING or WARN, ERROR, CRITICAL or FATAL, in any case;
 *   stored upper-case with WARN → WARNING and FATAL → CRITICAL.
 * - `message` (required): a string; the empty string is accepted (a record whose content is all
 *   in its attributes is still an event worth keeping).
 * - `service` (optional): a string, or null / absent (stored as null).
 * - Any other key is kept, value untouched, in `attributes`, including nested objects and a key
 *   named `__proto__` (as an ordinary own property, never as a prototype). Numbers are JSON
 *   numbers read as IEEE doubles: integers beyond 2^53 lose precision and values beyond
 *   ±1.8e308 become Infinity, which serialises as null.
 *
 * Bytes that are not valid UTF-8 are decoded to U+FFFD rather than rejected outright: inside a
 * string value the line is kept with the replacement character, elsewhere the line fails as
 * invalid JSON. Upload already refuses files that are not UTF-8 text, so this only concerns a
 * few damaged lines, which should not cost the whole file.
 */
export interface LogEntry {
  timestamp: Date;
  level: LogLevel;
  message: string;
  service: string | null;
  attributes: Record<string, unknown>;
}
