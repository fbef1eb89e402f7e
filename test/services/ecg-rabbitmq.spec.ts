import { syntheticEcg } from '../factories/ecg-signal.factory';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

type Body = Record<string, unknown>;

describe('ECG analysis through RabbitMQ and PostgreSQL', () => {
  let vhost: ReturnType<typeof createTestVhost>;
  let t: TestApp;
  let user: { token: string };

  beforeAll(async () => {
    vhost = createTestVhost();
    t = await createTestApp({ RABBITMQ_URL: vhost.url, LOG_LEVEL: 'warn' }, { databaseBaseUrl: SERVICES.databaseUrl });
    user = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
    vhost?.remove();
  });

  const waitFinished = (id: string): Promise<Body> =>
    poll(
      async () => (await t.http().get(`/api/v1/ecgs/${id}`).set('authorization', `Bearer ${user.token}`).expect(200)).body as Body,
      (body) => body.status === 'completed' || body.status === 'failed',
      `ECG ${id} is finished`,
      { timeoutMs: 30_000, intervalMs: 50 },
    );

  it('submits an ECG, a worker analyses it, and GET shows the insights and the heart rate', async () => {
    const lead = (name: string, seed: number) => ({
      name,
      signal: Array.from(syntheticEcg({ bpm: 72, samplingRateHz: 500, durationS: 10, noiseAmplitude: 30, seed })),
    });
    await t
      .http()
      .post('/api/v1/ecgs')
      .set('authorization', `Bearer ${user.token}`)
      .send({ id: 'via-rabbit', date: '2025-11-22T10:15:00Z', sampling_rate_hz: 500, leads: [{ name: 'I', signal: [1, -1, 1, -1, 1, -1, 0, -1, 0, 1] }, lead('II', 1), lead('V2', 2)] })
      .expect(202);

    const ecg = await waitFinished('via-rabbit');

    expect(ecg.status).toBe('completed');
    expect(ecg.processed_at).toEqual(expect.any(String));
    expect(Math.abs((ecg.heart_rate_bpm as number) - 72)).toBeLessThanOrEqual(2);
    const leads = ecg.leads as Body[];
    expect(leads.map((l) => l.name)).toEqual(['I', 'II', 'V2']);
    // Ten samples hold no beat: a count of 0 and no rate, while the other leads give 72 bpm.
    expect(leads[0]).toMatchObject({ number_of_samples: 10, zero_crossings: 6, r_peak_count: 0, heart_rate_bpm: null });
  });

  it('analyses a burst of ECGs exactly once each', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    await Promise.all(
      ids.map((id) =>
        t
          .http()
          .post('/api/v1/ecgs')
          .set('authorization', `Bearer ${user.token}`)
          .send({ id, date: '2025-11-22', leads: [{ name: 'I', signal: [-5, 0, 5] }] })
          .expect(202),
      ),
    );
    for (const id of ids) {
      const ecg = await waitFinished(id);
      expect(ecg).toMatchObject({ status: 'completed', leads: [{ name: 'I', number_of_samples: 3, zero_crossings: 1 }] });
    }
  });
});
