/**
 * The one strict ISO-8601 instant parser: log-line timestamps and every date a client sends in a
 * query (`from`, `to`) go through it, so "accepted" means the same everywhere and nothing that
 * passes a shape check can reach `new Date()` and come back Invalid.
 *
 * Accepted: the RFC 3339 profile `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, plus what common
 * loggers emit and stays unambiguous: `t`/space instead of `T`, `z` for `Z`, `,` before the
 * fraction, 1–9 fraction digits (kept to the millisecond, the rest truncated), offsets written
 * `±hhmm` or `±hh`. With `dateOnly`, a bare calendar date `YYYY-MM-DD` too (midnight UTC).
 * Refused: zone-less date-times (they would be read in the server's local zone), week and
 * ordinal dates (`2024-W01-1`, `2024-123`), the basic format (`20240501`), `24:00`, leap second
 * `:60`, impossible dates (`2023-02-29`), and instants outside years 0001–9999 UTC.
 */
export type InstantResult = Date | string;

// Fields sit at fixed offsets (0, 5, 8, 11, 14, 17) and are read from there: capturing all of
// them cost ~12 % of a log line's validation. Groups: fraction, offset sign, hours, minutes.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:[.,](\d{1,9}))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_MINUTE = 60_000;
// Date.UTC maps years 0–99 to 1900–1999; the Gregorian calendar repeats every 400 years
// (146,097 days), so those years are computed 400 years later and shifted back.
const MS_PER_400_YEARS = 146_097 * 86_400_000;
// PostgreSQL timestamptz goes further back, but pg serialises years before 1 as "BC" dates and
// ISO-8601 has no agreed meaning for them; 9999 is the last year a four-digit field can write.
export const MIN_INSTANT_MS = Date.UTC(1 + 400, 0, 1) - MS_PER_400_YEARS;
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const INSTANT_FORMAT_HINT = 'an ISO-8601 date-time with a time zone (e.g. 2024-05-01T12:00:00Z)';

/** A Date, or the end of a sentence saying what is wrong with the text ("is not ..."). */
export function parseInstant(text: string, options: { dateOnly?: boolean } = {}): InstantResult {
  const dateOnly = options.dateOnly === true && text.length === 10 && DATE_ONLY.test(text);
  const m = dateOnly ? null : DATE_TIME.exec(text);
  if (!dateOnly && m === null) {
    return options.dateOnly ? `is not ${INSTANT_FORMAT_HINT} or a date (2024-05-01)` : `is not ${INSTANT_FORMAT_HINT}`;
  }

  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = dateOnly ? 0 : digitsAt(text, 11, 2);
  const minute = dateOnly ? 0 : digitsAt(text, 14, 2);
  const second = dateOnly ? 0 : digitsAt(text, 17, 2);
  if (year < 1) return 'has year 0000; years 0001–9999 are accepted';
  if (month < 1 || month > 12) return 'has no such month';
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day < 1 || day > monthDays) return 'has no such day in its month';
  if (hour > 23 || minute > 59 || second > 59) return 'has a time of day out of range';

  let epochMs = 0;
  let millis = 0;
  if (m !== null) {
    const [, fraction, offsetSign, offsetHoursText, offsetMinutesText] = m;
    if (offsetSign !== undefined) {
      const offsetHours = digitsAt(offsetHoursText, 0, 2);
      const offsetMinutes = offsetMinutesText === undefined ? 0 : digitsAt(offsetMinutesText, 0, 2);
      if (offsetHours > 23 || offsetMinutes > 59) return 'has a time zone offset out of range';
      epochMs = (offsetSign === '-' ? 1 : -1) * (offsetHours * 60 + offsetMinutes) * MS_PER_MINUTE;
    }
    // Digits past the millisecond are truncated: a Date cannot hold them.
    millis = fraction === undefined ? 0 : digitsAt(fraction.padEnd(3, '0'), 0, 3);
  }
  epochMs +=
    year < 100
      ? Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - MS_PER_400_YEARS
      : Date.UTC(year, month - 1, day, hour, minute, second, millis);

  if (epochMs < MIN_INSTANT_MS || epochMs > MAX_INSTANT_MS) return 'falls outside years 0001–9999 UTC';
  return new Date(epochMs);
}

// The value of `count` ASCII digits from `start`; the caller has matched them as \d already.
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
