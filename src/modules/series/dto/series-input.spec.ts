import { DomainError } from '../../../core/errors/domain-error';
import { MAX_REPORTED_ERRORS, parseCsvSeries, parseJsonSeries } from './series-input';

const T0 = Date.UTC(2025, 10, 22);
const iso = (ms: number) => new Date(ms).toISOString();

function failure(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parseJsonSeries', () => {
  it('puts shuffled points in time order, values with them', () => {
    const data = parseJsonSeries({ points: [2, 0, 1].map((i) => ({ timestamp: iso(T0 + i * 1000), value: i * 10 })) }, 10);
    expect(Array.from(data.timestamps!)).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(Array.from(data.values)).toEqual([0, 10, 20]);
    expect(data).toMatchObject({ startMs: T0, endMs: T0 + 2000, samplingRateHz: null, name: null, unit: null });
  });

  it('computes the end of a uniform series from its rate', () => {
    const data = parseJsonSeries({ name: 'n', unit: 'u', start: iso(T0), sampling_rate_hz: 3, values: [1, 2, 3, 4] }, 10);
    expect(data).toMatchObject({ name: 'n', unit: 'u', startMs: T0, endMs: T0 + 1000, samplingRateHz: 3, timestamps: null });
  });

  it('says 413 from the array length alone, before looking at any point', () => {
    const error = failure(() => parseJsonSeries({ values: [1, 'x', 3], start: 'nope' }, 2));
    expect({ code: error.code, kind: error.kind }).toEqual({ code: 'SERIES_TOO_LARGE', kind: 'too_large' });
  });

  it('names the later of two duplicates, and the earlier in the message', () => {
    const points = [0, 1, 2, 1].map((i, k) => ({ timestamp: iso(T0 + i * 1000), value: k }));
    const error = failure(() => parseJsonSeries({ points }, 10));
    expect(error.errors).toEqual([{ path: 'points[3].timestamp', message: expect.stringContaining('points[1].timestamp') }]);
  });

  it(`lists at most ${MAX_REPORTED_ERRORS} problems`, () => {
    const error = failure(() => parseJsonSeries({ start: iso(T0), sampling_rate_hz: 1, values: Array.from({ length: 500 }, () => 'x') }, 1000));
    expect(error.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(error.message).toMatch(/first 100 problems/);
  });
});

describe('parseCsvSeries', () => {
  it('skips a BOM, a header, blank lines and quotes; keeps line numbers for errors', () => {
    const data = parseCsvSeries('\ufefftimestamp,value\r\n\r\n"2025-11-22T00:00:01Z", "2.5"\r\n2025-11-22T00:00:00Z,-1e-3\r\n', 'n', null, 10);
    expect(Array.from(data.values)).toEqual([-1e-3, 2.5]);
    const error = failure(() => parseCsvSeries('timestamp,value\n2025-11-22T00:00:00Z,1\n2025-11-22T00:00:01Z\n2025-11-22T00:00:02Z,0x10\n', null, null, 10));
    expect(error.errors!.map((e) => e.path)).toEqual(['line 3', 'line 4']);
  });

  it('treats a header-looking line after data as data (and refuses it)', () => {
    const error = failure(() => parseCsvSeries('2025-11-22T00:00:00Z,1\ntimestamp,value\n', null, null, 10));
    expect(error.errors!.map((e) => e.path)).toEqual(['line 2', 'line 2']);
  });

  it('says 413 once a line past the maximum is reached', () => {
    const csv = Array.from({ length: 4 }, (_, i) => `${iso(T0 + i)},${i}`).join('\n');
    expect(failure(() => parseCsvSeries(csv, null, null, 3)).code).toBe('SERIES_TOO_LARGE');
    expect(parseCsvSeries(csv, null, null, 4).values).toHaveLength(4);
  });
});
