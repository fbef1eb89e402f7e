import { toCopyRow } from './copy-row';
import type { LogEntry } from './log-entry';

const entry = (overrides: Partial<LogEntry> = {}): LogEntry => ({
  timestamp: new Date('2026-11-22T10:00:00.123Z'),
  level: 'INFO',
  message: 'hello',
  service: 'auth',
  attributes: {},
  ...overrides,
});

describe('toCopyRow', () => {
  it('writes the seven columns tab-separated, one line per row', () => {
    expect(toCopyRow('job', 7, entry({ attributes: { a: 1 } }))).toBe('job\t7\t2026-11-22T10:00:00.123Z\tINFO\tauth\thello\t{"a":1}\n');
  });

  it('writes a missing service as NULL, not as the text "null"', () => {
    expect(toCopyRow('job', 1, entry({ service: null })).split('\t')[4]).toBe('\\N');
  });

  it('escapes the characters COPY treats specially, so a message cannot break the row', () => {
    const row = toCopyRow('job', 1, entry({ message: 'a\tb\nc\rd\\e', service: 'x\ty' }));
    expect(row.split('\t')).toHaveLength(7);
    expect(row.endsWith('\n')).toBe(true);
    expect(row.slice(0, -1)).not.toContain('\n');
    expect(row).toContain('a\\tb\\nc\\rd\\\\e');
    expect(row).toContain('x\\ty');
  });

  it('keeps attributes valid for jsonb: a lone surrogate becomes U+FFFD, a pair is kept', () => {
    const row = toCopyRow('job', 1, entry({ attributes: { lone: '\ud800', pair: '😀' } }));
    const json = row.split('\t')[6].trim();
    expect(JSON.parse(json.replace(/\\\\/g, '\\'))).toEqual({ lone: '\ufffd', pair: '😀' });
  });
});
