import { RequestValidationError } from '../../../core/http/validation';
import { createValidationPipe } from '../../../core/http/validation';
import type { EcgEntity } from '../entities/ecg.entity';
import type { EcgLeadEntity } from '../entities/ecg-lead.entity';
import { EcgCreateDto, parseTimestamp, toEcgResponse, toEcgSummary } from './ecg.dto';

const pipe = createValidationPipe();

async function errorsFor(body: unknown): Promise<{ path: string; message: string }[]> {
  try {
    await pipe.transform(body, { type: 'body', metatype: EcgCreateDto });
    return [];
  } catch (error) {
    if (error instanceof RequestValidationError) return error.errors ?? [];
    throw error;
  }
}

const lead = (overrides: Record<string, unknown> = {}) => ({ name: 'I', signal: [1, -1, 0], ...overrides });
const body = (overrides: Record<string, unknown> = {}) => ({ date: '2025-11-22T10:15:00Z', leads: [lead()], ...overrides });

describe('EcgCreateDto', () => {
  it('accepts a minimal and a complete ECG', async () => {
    expect(await errorsFor(body())).toEqual([]);
    expect(
      await errorsFor(body({ id: 'a.B_c-1', sampling_rate_hz: 499.5, leads: [lead({ number_of_samples: 3 }), lead({ name: 'aVR' })] })),
    ).toEqual([]);
  });

  it('names each bad field by its path, all in one answer', async () => {
    const errors = await errorsFor({
      id: '',
      date: 'soon',
      sampling_rate_hz: -1,
      leads: [lead(), lead({ name: 'avr', number_of_samples: 2 }), lead({ signal: [1, 1.5] })],
      extra: true,
    });
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['date', 'extra', 'id', 'leads[1].name', 'leads[1].number_of_samples', 'leads[2].signal', 'sampling_rate_hz'].sort(),
    );
    expect(errors.find((e) => e.path === 'leads[1].number_of_samples')?.message).toBe('number_of_samples is 2 but signal has 3 samples');
    expect(errors.find((e) => e.path === 'leads[1].name')?.message).toMatch(/^name must be one of I, II, III, aVR/);
  });

  it('reports a number_of_samples of the wrong type, but no length mismatch when signal is not an array', async () => {
    expect(await errorsFor(body({ leads: [lead({ number_of_samples: '3' })] }))).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'leads[0].number_of_samples' })]),
    );
    const errors = await errorsFor(body({ leads: [lead({ number_of_samples: 3, signal: null })] }));
    expect(errors.map((e) => e.path)).toEqual(['leads[0].signal']);
  });

  it('refuses more than 12 leads', async () => {
    const errors = await errorsFor(body({ leads: Array.from({ length: 13 }, () => lead()) }));
    expect(errors.map((e) => e.path)).toContain('leads');
  });

  it.each(['2025-11-22', '2025-11-22T10:15Z', '2025-11-22T10:15:00.123456+01:00', '2025-11-22T10:15:00-0530'])('accepts the date %s', async (date) => {
    expect(await errorsFor(body({ date }))).toEqual([]);
  });

  it.each(['2025-02-30', '2025-W47-6', '2025-326', '22/11/2025', '2025-11-22 10:15:00', '', 20251122, '0000-01-01', '0001-01-01T00:00:00+01:00', '9999-12-31T23:00:00-05:00'])('refuses the date %j', async (date) => {
    expect((await errorsFor(body({ date }))).map((e) => e.path)).toEqual(['date']);
  });
});

describe('parseTimestamp', () => {
  it('reads a date-time without an offset as UTC, and keeps an explicit one', () => {
    expect(parseTimestamp('2025-11-22T10:15:00')?.toISOString()).toBe('2025-11-22T10:15:00.000Z');
    expect(parseTimestamp('2025-11-22T10:15:00+02:00')?.toISOString()).toBe('2025-11-22T08:15:00.000Z');
    expect(parseTimestamp('2025-11-22')?.toISOString()).toBe('2025-11-22T00:00:00.000Z');
  });
});

describe('toEcgResponse', () => {
  const at = new Date('2025-11-22T11:00:00Z');
  const leadRow = (name: string, insights: EcgLeadEntity['insights']) => ({ name, numberOfSamples: 3, insights }) as EcgLeadEntity;
  const ecg = (overrides: Partial<EcgEntity>): EcgEntity =>
    ({
      pk: 'pk',
      id: 'ecg-1',
      date: at,
      samplingRateHz: 500,
      status: 'completed',
      heartRateBpm: 71.9,
      error: null,
      createdAt: at,
      processedAt: at,
      leads: [leadRow('II', { zero_crossings: 2, min: -1, max: 1, mean: 0, r_peak_count: 12, heart_rate_bpm: 71.9 })],
      ...overrides,
    }) as EcgEntity;

  it('shows lead insights and the heart rate once completed', () => {
    expect(toEcgResponse(ecg({}))).toEqual({
      id: 'ecg-1',
      date: at.toISOString(),
      sampling_rate_hz: 500,
      status: 'completed',
      created_at: at.toISOString(),
      processed_at: at.toISOString(),
      error: null,
      leads: [{ name: 'II', number_of_samples: 3, zero_crossings: 2, min: -1, max: 1, mean: 0, r_peak_count: 12, heart_rate_bpm: 71.9 }],
      heart_rate_bpm: 71.9,
    });
  });

  it('shows only name and length per lead before completion, and no heart rate', () => {
    const res = toEcgResponse(ecg({ status: 'processing', processedAt: null, heartRateBpm: null }));
    expect(res.leads).toEqual([{ name: 'II', number_of_samples: 3 }]);
    expect(res).not.toHaveProperty('heart_rate_bpm');
    expect(res.processed_at).toBeNull();
  });

  it('leaves heart_rate_bpm out when it could not be computed', () => {
    expect(toEcgResponse(ecg({ samplingRateHz: null, heartRateBpm: null }))).not.toHaveProperty('heart_rate_bpm');
  });

  it('summarises an ECG for lists with its number of leads', () => {
    expect(toEcgSummary(ecg({ numberOfLeads: 12 }))).toEqual({
      id: 'ecg-1',
      date: at.toISOString(),
      status: 'completed',
      created_at: at.toISOString(),
      processed_at: at.toISOString(),
      number_of_leads: 12,
    });
  });
});
