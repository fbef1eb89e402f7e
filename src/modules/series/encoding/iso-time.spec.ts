import { IsoTimeParser } from './iso-time';

describe('IsoTimeParser', () => {
  const parser = new IsoTimeParser();
  it.each([
    ['2025-11-22T10:15:00Z', Date.UTC(2025, 10, 22, 10, 15)],
    ['2025-11-22T10:15:00.5Z', Date.UTC(2025, 10, 22, 10, 15, 0, 500)],
    ['2025-11-22T10:15:00.123456Z', Date.UTC(2025, 10, 22, 10, 15, 0, 123)],
    ['2025-11-22T10:15:00+02:00', Date.UTC(2025, 10, 22, 8, 15)],
    ['2025-11-22T10:15', Date.UTC(2025, 10, 22, 10, 15)],
    ['2025-11-22', Date.UTC(2025, 10, 22)],
    ['0050-01-01T00:00:00Z', new Date('0050-01-01T00:00:00Z').getTime()],
    ['2025-11-22T10:15:00.999999999Z', Date.UTC(2025, 10, 22, 10, 15, 0, 999)],
    ['2025-11-22T10:15:00.07Z', Date.UTC(2025, 10, 22, 10, 15, 0, 70)],
  ])('parses %s', (text, expected) => expect(parser.parse(text)).toBe(expected));

  it.each(['2025-02-30T00:00:00Z', '2025-11-22T24:00:00Z', 'yesterday', '1732270500000', '', '0000-01-01T00:00:00Z', '2025-1-2', '2025-11-22T10:15:00.Z', '2025-11-22T10:15:0aZ', '2025-11-22T10:15:00.1234567890Z'])(
    'refuses %s',
    (text) => expect(parser.parse(text)).toBeNaN(),
  );
});
