import { parseInstant } from './iso-instant';

const iso = (text: string, dateOnly = false) => {
  const parsed = parseInstant(text, { dateOnly });
  return typeof parsed === 'string' ? parsed : parsed.toISOString();
};

describe('parseInstant', () => {
  it.each([
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01t12:00:00z', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01 12:00:00+02:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T12:00:00,5Z', '2024-05-01T12:00:00.500Z'],
    ['2024-05-01T12:00:00.123456789-0130', '2024-05-01T13:30:00.123Z'],
    ['2024-05-01T12:00:00+05', '2024-05-01T07:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s', (text, expected) => expect(iso(text)).toBe(expected));

  it.each([
    '2024-W01-1',
    '2024-123',
    '20240501',
    '20240501T120000Z',
    '2024-05-01T12:00:00',
    '2024-05-01',
    '2023-02-29T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T12:00:60Z',
    '0000-01-01T00:00:00Z',
    '2024-05-01T12:00:00+24:00',
    '9999-12-31T23:59:59-01:00',
    '',
    '1714564800',
  ])('refuses %s with a reason', (text) => expect(typeof parseInstant(text)).toBe('string'));

  it('reads a bare date as midnight UTC only when asked', () => {
    expect(iso('2024-05-01', true)).toBe('2024-05-01T00:00:00.000Z');
    expect(iso('2024-02-30', true)).toBe('has no such day in its month');
    expect(iso('2024-W01-1', true)).toMatch(/^is not/);
  });
});
