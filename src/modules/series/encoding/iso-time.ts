const GENERAL = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses ISO-8601 timestamps to epoch milliseconds; digits past the millisecond are dropped (as
 * JavaScript's Date does). Years 1 to 9999 only. The common `...Z` form is parsed by hand, with
 * the date part validated once per distinct day; anything else (offsets, no seconds, date only)
 * goes through Date. NaN for what is not a real instant.
 */
export class IsoTimeParser {
  private readonly days = new Map<number, number>();

  parse(text: string): number {
    const fast = this.parseCanonical(text);
    if (fast !== undefined) return fast;
    if (!GENERAL.test(text)) return NaN;
    const hasTime = text.includes('T');
    const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
    const ms = Date.parse(hasTime && !hasOffset ? `${text}Z` : text);
    return inRange(ms) ? ms : NaN;
  }

  /**
   * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` read with charCodeAt (no regex match, no substrings): a
   * million-line CSV spends most of its parse time here. Undefined for any other shape.
   */
  private parseCanonical(text: string): number | undefined {
    const n = text.length;
    if (n < 20 || n > 30 || text.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
    if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return undefined;
    if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const dayOfMonth = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    if (year < 0 || month < 0 || dayOfMonth < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
    let fraction = 0;
    if (n > 20) {
      // Only `.` and 1-9 digits may sit between the seconds and the Z; digits past the millisecond are dropped.
      if (text.charCodeAt(19) !== 46 || n === 21 || n > 30) return undefined;
      let scale = 100;
      for (let i = 20; i < n - 1; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return undefined;
        fraction += d * scale;
        scale /= 10;
      }
      fraction = Math.floor(fraction + 1e-9);
    } else if (text.charCodeAt(19) !== 90) {
      return undefined;
    }
    const key = (year * 100 + month) * 100 + dayOfMonth;
    let day = this.days.get(key);
    if (day === undefined) {
      day = validDay(year, month, dayOfMonth);
      if (this.days.size < 100_000) this.days.set(key, day);
    }
    if (Number.isNaN(day) || hour > 23 || minute > 59 || second > 59) return NaN;
    return day + ((hour * 60 + minute) * 60 + second) * 1000 + fraction;
  }
}

/** The decimal number in text[start, start + count), or -1 when a character is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function validDay(year: number, month: number, day: number): number {
  // setUTCFullYear, unlike Date.UTC, keeps years 1-99; a day that rolls over (2025-02-30) is refused.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const ms = date.getTime();
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return NaN;
  return inRange(ms) ? ms : NaN;
}

const FIRST_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const LAST_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

export function inRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= FIRST_MS && ms <= LAST_MS;
}
