import type { LogEntry } from './log-entry';
import { isBlankLine, parseLogLine } from './log-line.validator';

const base = { timestamp: '2024-05-01T12:00:00Z', level: 'INFO', message: 'user logged in' };
const line = (fields: Record<string, unknown>) => JSON.stringify(fields);

function accepted(text: string): LogEntry {
  const result = parseLogLine(text);
  if (!result.ok) throw new Error(`expected the line to be accepted, got: ${result.reason}`);
  return result.entry;
}

function rejected(text: string): string {
  const result = parseLogLine(text);
  if (result.ok) throw new Error(`expected the line to be rejected, got ${JSON.stringify(result.entry)}`);
  return result.reason;
}

describe('parseLogLine', () => {
  describe('a valid line', () => {
    it('gives the typed entry for the minimal line', () => {
      expect(accepted(line(base))).toEqual({
        timestamp: new Date(Date.UTC(2024, 4, 1, 12, 0, 0)),
        level: 'INFO',
        message: 'user logged in',
        service: null,
        attributes: {},
      });
    });

    it.each([
      ['DEBUG', 'DEBUG'],
      ['debug', 'DEBUG'],
      ['Info', 'INFO'],
      ['info', 'INFO'],
      ['WARNING', 'WARNING'],
      ['warning', 'WARNING'],
      ['WARN', 'WARNING'],
      ['warn', 'WARNING'],
      ['Warn', 'WARNING'],
      ['ERROR', 'ERROR'],
      ['eRRoR', 'ERROR'],
      ['CRITICAL', 'CRITICAL'],
      ['critical', 'CRITICAL'],
      ['FATAL', 'CRITICAL'],
      ['fatal', 'CRITICAL'],
      ['Fatal', 'CRITICAL'],
    ])('stores level %s as %s', (raw, stored) => {
      expect(accepted(line({ ...base, level: raw })).level).toBe(stored);
    });

    it('keeps every other key in attributes, nested values untouched', () => {
      const extra = {
        request_id: 'r-1',
        status: 503,
        ok: false,
        latency_ms: 12.5,
        tags: ['a', 'b'],
        user: { id: 7, roles: ['admin'], address: { city: 'Oslo' } },
        nothing: null,
      };
      const entry = accepted(line({ ...base, service: 'api', ...extra }));
      expect(entry.attributes).toEqual(extra);
      expect(entry.attributes).not.toHaveProperty('timestamp');
      expect(entry.attributes).not.toHaveProperty('service');
    });

    it('takes service as given, and null or absent as null', () => {
      expect(accepted(line({ ...base, service: 'billing' })).service).toBe('billing');
      expect(accepted(line({ ...base, service: null })).service).toBeNull();
      expect(accepted(line(base)).service).toBeNull();
    });

    it('accepts an empty message', () => {
      expect(accepted(line({ ...base, message: '' })).message).toBe('');
    });

    it('accepts a 1 MB message: line length is the splitter’s limit, not the validator’s', () => {
      const message = 'x'.repeat(1024 * 1024);
      expect(accepted(line({ ...base, message })).message).toBe(message);
    });

    it('accepts a line starting with a UTF-8 BOM, as the first line of a Windows file does', () => {
      expect(accepted(`\uFEFF${line(base)}`).message).toBe('user logged in');
    });

    it('accepts a line ending in \\r, as CRLF files give', () => {
      expect(accepted(`${line(base)}\r`).message).toBe('user logged in');
    });

    it('accepts surrounding whitespace and pretty spacing inside the object', () => {
      expect(accepted(`  { "timestamp" : "2024-05-01T12:00:00Z", "level":"info", "message":"m" }\t`).level).toBe('INFO');
    });

    it('keeps non-ASCII text and U+FFFD from damaged bytes in strings', () => {
      expect(accepted(line({ ...base, message: 'Zürich → 東京 🚀 \uFFFD' })).message).toBe('Zürich → 東京 🚀 \uFFFD');
    });

    it('keeps large numbers as JSON numbers in attributes', () => {
      const entry = accepted(`{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","big":12345678901234567890,"tiny":1e-300,"exp":1.5e300}`);
      expect(entry.attributes).toEqual({ big: 12345678901234567000, tiny: 1e-300, exp: 1.5e300 });
      expect(JSON.parse(JSON.stringify(entry.attributes))).toEqual(entry.attributes);
    });

    it('uses the last value of a repeated key, as JSON.parse does', () => {
      expect(accepted(`{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"a","message":"b"}`).message).toBe('b');
    });
  });

  describe('__proto__ in a line', () => {
    afterEach(() => {
      // Undo any pollution so one failure does not cascade through the rest of the suite.
      delete (Object.prototype as Record<string, unknown>).polluted;
    });

    it('keeps it as an ordinary attribute and pollutes neither Object.prototype nor the entry', () => {
      const entry = accepted(`{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","__proto__":{"polluted":true}}`);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(entry.attributes)).toBe(Object.prototype);
      expect((entry.attributes as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(entry.attributes)).toEqual(['__proto__']);
      expect(Object.getOwnPropertyDescriptor(entry.attributes, '__proto__')?.value).toEqual({ polluted: true });
      expect(JSON.stringify(entry.attributes)).toBe('{"__proto__":{"polluted":true}}');
    });

    it('is not confused by a nested __proto__ or a constructor key', () => {
      const entry = accepted(
        `{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","a":{"__proto__":{"polluted":1}},"constructor":{"prototype":{"polluted":1}}}`,
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(entry.attributes)).toEqual(['a', 'constructor']);
    });
  });

  describe('a line that is not a JSON object', () => {
    it.each([
      ['plain text', 'user logged in'],
      ['truncated JSON', '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","mess'],
      ['a trailing comma', '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m",}'],
      ['two objects on one line', `${line(base)}${line(base)}`],
      ['single quotes', "{'timestamp':'2024-05-01T12:00:00Z'}"],
      ['an empty string', ''],
      ['a lone BOM', '\uFEFF'],
      ['U+FFFD outside a string (damaged bytes)', '\uFFFD{"a":1}'],
    ])('rejects %s as invalid JSON', (_case, text) => {
      expect(rejected(text)).toMatch(/^invalid JSON: \S/);
    });

    it('names the parser’s complaint', () => {
      expect(rejected('{"timestamp":')).toBe('invalid JSON: Unexpected end of JSON input');
    });

    it('does not echo a huge invalid line back in the reason', () => {
      expect(rejected(`not json ${'x'.repeat(1024 * 1024)}`).length).toBeLessThanOrEqual(120);
      expect(rejected(`{"a": ${'z'.repeat(1024 * 1024)}}`).length).toBeLessThanOrEqual(120);
    });

    it.each([
      ['[1,2]', 'line is an array, not a JSON object'],
      ['[]', 'line is an array, not a JSON object'],
      ['"hello"', 'line is a string, not a JSON object'],
      ['42', 'line is a number, not a JSON object'],
      ['true', 'line is a boolean, not a JSON object'],
      ['null', 'line is null, not a JSON object'],
    ])('rejects %s: %s', (text, reason) => {
      expect(rejected(text)).toBe(reason);
    });
  });

  describe('required fields', () => {
    it('rejects an empty object for its missing timestamp', () => {
      expect(rejected('{}')).toBe('missing required field "timestamp"');
    });

    it.each(['timestamp', 'level', 'message'])('rejects a line without %s', (field) => {
      const fields: Record<string, unknown> = { ...base };
      delete fields[field];
      expect(rejected(line(fields))).toBe(`missing required field "${field}"`);
    });

    it.each([
      ['timestamp', 1714564800000, '"timestamp" must be an ISO-8601 string, got a number'],
      ['timestamp', null, '"timestamp" must be an ISO-8601 string, got null'],
      ['timestamp', { iso: '2024-05-01T12:00:00Z' }, '"timestamp" must be an ISO-8601 string, got an object'],
      ['level', 3, '"level" must be a string, got a number'],
      ['level', null, '"level" must be a string, got null'],
      ['level', ['INFO'], '"level" must be a string, got an array'],
      ['message', 42, '"message" must be a string, got a number'],
      ['message', null, '"message" must be a string, got null'],
      ['message', { text: 'hi' }, '"message" must be a string, got an object'],
      ['message', true, '"message" must be a string, got a boolean'],
      ['service', 42, '"service" must be a string or null, got a number'],
      ['service', false, '"service" must be a string or null, got a boolean'],
      ['service', ['api'], '"service" must be a string or null, got an array'],
      ['service', { name: 'api' }, '"service" must be a string or null, got an object'],
    ])('rejects %s = %j', (field, value, reason) => {
      expect(rejected(line({ ...base, [field]: value }))).toBe(reason);
    });

    it.each(['VERBOSE', 'TRACE', 'WARNINGS', 'INFO ', '', 'notice', 'ERR'])('rejects unknown level %j', (level) => {
      expect(rejected(line({ ...base, level }))).toBe(
        `"level" ${JSON.stringify(level)} is not one of DEBUG, INFO, WARNING/WARN, ERROR, CRITICAL/FATAL`,
      );
    });

    it('truncates a huge bogus level in the reason', () => {
      const reason = rejected(line({ ...base, level: 'L'.repeat(1_000_000) }));
      expect(reason).toContain(`"${'L'.repeat(100)}"…`);
      expect(reason.length).toBeLessThan(200);
    });
  });

  describe('timestamps', () => {
    it.each([
      ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000Z'],
      ['2024-05-01T12:00:00+02:00', '2024-05-01T10:00:00.000Z'],
      ['2024-05-01T01:30:00+02:00', '2024-04-30T23:30:00.000Z'],
      ['2024-05-01T12:00:00-05:30', '2024-05-01T17:30:00.000Z'],
      ['2024-05-01T12:00:00+00:00', '2024-05-01T12:00:00.000Z'],
      ['2024-05-01T12:00:00-00:00', '2024-05-01T12:00:00.000Z'],
      ['2024-05-01T12:00:00+0200', '2024-05-01T10:00:00.000Z'],
      ['2024-05-01T12:00:00+02', '2024-05-01T10:00:00.000Z'],
      ['2024-05-01T12:00:00.5Z', '2024-05-01T12:00:00.500Z'],
      ['2024-05-01T12:00:00.12Z', '2024-05-01T12:00:00.120Z'],
      ['2024-05-01T12:00:00.123Z', '2024-05-01T12:00:00.123Z'],
      ['2024-05-01T12:00:00.123456789Z', '2024-05-01T12:00:00.123Z'],
      ['2024-05-01T12:00:00,250+01:00', '2024-05-01T11:00:00.250Z'],
      ['2024-05-01t12:00:00z', '2024-05-01T12:00:00.000Z'],
      ['2024-05-01 12:00:00Z', '2024-05-01T12:00:00.000Z'],
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
      ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
      ['2024-12-31T23:59:59.999Z', '2024-12-31T23:59:59.999Z'],
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
      ['0050-06-15T08:00:00Z', '0050-06-15T08:00:00.000Z'],
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
      ['9999-12-31T23:59:59-00:00', '9999-12-31T23:59:59.000Z'],
      ['1969-12-31T23:59:59Z', '1969-12-31T23:59:59.000Z'],
    ])('reads %s as the instant %s', (timestamp, instant) => {
      expect(accepted(line({ ...base, timestamp })).timestamp.toISOString()).toBe(instant);
    });

    it.each([
      ['yesterday', 'is not an ISO-8601 date-time'],
      ['', 'is not an ISO-8601 date-time'],
      ['2024-05-01', 'is not an ISO-8601 date-time'],
      ['2024-05-01T12:00:00', 'is not an ISO-8601 date-time'],
      ['2024-05-01T12:00Z', 'is not an ISO-8601 date-time'],
      ['20240501T120000Z', 'is not an ISO-8601 date-time'],
      ['2024-W18-3T12:00:00Z', 'is not an ISO-8601 date-time'],
      ['1714564800000', 'is not an ISO-8601 date-time'],
      ['Wed, 01 May 2024 12:00:00 GMT', 'is not an ISO-8601 date-time'],
      ['2024-05-01T12:00:00 Z', 'is not an ISO-8601 date-time'],
      [' 2024-05-01T12:00:00Z', 'is not an ISO-8601 date-time'],
      ['2024-05-01T12:00:00Z\n', 'is not an ISO-8601 date-time'],
      ['2024-05-01T12:00:00.Z', 'is not an ISO-8601 date-time'],
      ['2024-05-01T12:00:00.1234567890Z', 'is not an ISO-8601 date-time'],
      ['+002024-05-01T12:00:00Z', 'is not an ISO-8601 date-time'],
      ['10000-01-01T00:00:00Z', 'is not an ISO-8601 date-time'],
      ['٢٠٢٤-05-01T12:00:00Z', 'is not an ISO-8601 date-time'],
      ['2024-13-45T00:00:00Z', 'has no such month'],
      ['2024-00-10T00:00:00Z', 'has no such month'],
      ['2024-04-31T00:00:00Z', 'has no such day in its month'],
      ['2023-02-29T00:00:00Z', 'has no such day in its month'],
      ['1900-02-29T00:00:00Z', 'has no such day in its month'],
      ['2024-05-00T00:00:00Z', 'has no such day in its month'],
      ['2024-05-01T24:00:00Z', 'has a time of day out of range'],
      ['2024-05-01T12:60:00Z', 'has a time of day out of range'],
      ['2024-12-31T23:59:60Z', 'has a time of day out of range'],
      ['2024-05-01T12:00:00+24:00', 'has a time zone offset out of range'],
      ['2024-05-01T12:00:00+02:60', 'has a time zone offset out of range'],
      ['0000-06-01T00:00:00Z', 'has year 0000'],
      ['0001-01-01T00:30:00+01:00', 'falls outside years 0001–9999 UTC'],
      ['9999-12-31T23:30:00-01:00', 'falls outside years 0001–9999 UTC'],
    ])('rejects %j: %s', (timestamp, complaint) => {
      expect(rejected(line({ ...base, timestamp }))).toMatch(new RegExp(`^"timestamp" ${escapeRegExp(JSON.stringify(timestamp))} ${complaint}`));
    });

    it('truncates a huge bogus timestamp in the reason', () => {
      const reason = rejected(line({ ...base, timestamp: `2024-05-01T12:00:00Z${' '.repeat(1_000_000)}` }));
      expect(reason.length).toBeLessThan(250);
    });
  });
});

describe('values the database cannot store or the row builder cannot write', () => {
  it('rejects attributes nested past the limit with our reason, even 50,000 levels deep', () => {
    const deep = `{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    expect(rejected(deep)).toBe('nests deeper than 64 levels, the limit for a line');
    const ok = `{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","a":${'['.repeat(62)}${']'.repeat(62)}}`;
    expect(accepted(ok).attributes.a).toBeDefined();
  });

  it('rejects a NUL in the message, the service or any attribute, naming where', () => {
    expect(rejected(line({ ...base, message: 'a\u0000b' }))).toBe('"message" contains a NUL (\\u0000) character, which cannot be stored');
    expect(rejected(line({ ...base, service: '\u0000' }))).toMatch(/^"service" contains a NUL/);
    expect(rejected(line({ ...base, user: { tags: ['ok', 'x\u0000'] } }))).toMatch(/^attribute "user\.tags\[1\]" contains a NUL/);
    expect(rejected(line({ ...base, ['k\u0000']: 1 }))).toMatch(/^attribute .* contains a NUL/);
  });

  it('keeps a literal backslash-u-0000 text, which is not a NUL', () => {
    expect(accepted(line({ ...base, message: '\\u0000' })).message).toBe('\\u0000');
  });
});

describe('isBlankLine', () => {
  it.each(['', ' ', '\t', '\r', '  \t ', '\uFEFF'])('treats %j as blank', (text) => {
    expect(isBlankLine(text)).toBe(true);
  });

  it.each(['{}', ' x ', 'null'])('does not treat %j as blank', (text) => {
    expect(isBlankLine(text)).toBe(false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
