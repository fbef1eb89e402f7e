const MS_PER_DAY = 86_400_000;
const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const GENERAL = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses ISO-8601 timestamps to epoch milliseconds; digits past the millisecond are dropped (as
 * JavaScript's Date does). Years 1 to 9999 only. The common `...Z` form is parsed by hand, with
 * the date part validated once per distinct day; anything else (offsets, no seconds, date only)
 * goes through Date. NaN for what is not a real instant.
 */
export class IsoTimeParser {
  private readonly days = new Map<string, number>();

  parse(text: string): number {
    const m = CANONICAL.exec(text);
    if (m) {
      const dayKey = text.slice(0, 10);
      let day = this.days.get(dayKey);
      if (day === undefined) {
        day = validDay(+m[1], +m[2], +m[3]);
        if (this.days.size < 100_000) this.days.set(dayKey, day);
      }
      const hour = +m[4];
      const minute = +m[5];
      const second = +m[6];
      if (Number.isNaN(day) || hour > 23 || minute > 59 || second > 59) return NaN;
      const fraction = m[7] === undefined ? 0 : Math.floor(+m[7].slice(0, 3).padEnd(3, '0'));
      return day + ((hour * 60 + minute) * 60 + second) * 1000 + fraction;
    }
    if (!GENERAL.test(text)) return NaN;
    const hasTime = text.includes('T');
    const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
    const ms = Date.parse(hasTime && !hasOffset ? `${text}Z` : text);
    return inRange(ms) ? ms : NaN;
  }
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
