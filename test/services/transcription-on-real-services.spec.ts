import { ObjectStorage } from '../../src/core/storage/object-storage';
import { AUDIO_TEXTS, audioFixture, wavHeader } from '../factories/audio-fixtures';
import { poll } from '../utils/poll';
import { RunningProcess, startWorkerProcess } from '../utils/process';
import { s3Settings, startS3Server } from '../utils/s3-server';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestApp, TestApp } from '../utils/test-app';
import { wordAccuracy } from '../utils/word-accuracy';

type Body = Record<string, unknown> & { id: string; status: string; text: string; duration_s: number | null };

/** `times` copies of a 16 kHz mono WAV's samples behind one header: long speech from a short clip. */
function repeatedSpeech(clip: Buffer, times: number): Buffer {
  const samples = clip.subarray(44);
  return Buffer.concat([wavHeader(samples.length * times), ...Array.from({ length: times }, () => samples)]);
}

/**
 * A transcription as production runs it: this process is the API, a worker process runs the
 * engine, with RabbitMQ, PostgreSQL and an S3 server in between.
 */
describe('transcriptions on real services', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let vhost: ReturnType<typeof createTestVhost>;
  let t: TestApp;
  let user: { token: string };
  let env: Record<string, string>;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    s3 = await startS3Server();
    vhost = createTestVhost();
    env = {
      RABBITMQ_URL: vhost.url,
      ...s3Settings(s3.endpoint, 'horizon-transcriptions-test'),
      JWT_SECRET: 'services-test-secret-of-at-least-32-chars',
      LOG_LEVEL: 'warn',
    };
    t = await createTestApp(env, { databaseBaseUrl: SERVICES.databaseUrl, withWorker: false });
    user = await t.createUser();
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await t?.close();
    await s3?.close();
    vhost?.remove();
  });

  async function startWorker(): Promise<RunningProcess> {
    // Pushed once ready: a worker that never gets ready has exited already.
    const worker = await startWorkerProcess({ ...env, DATABASE_URL: t.databaseUrl });
    workers.push(worker);
    return worker;
  }

  const as = () => ({ authorization: `Bearer ${user.token}` });
  const upload = async (content: Buffer, name: string) =>
    (await t.http().post('/api/v1/transcriptions').set(as()).attach('file', content, name).expect(202)).body.id as string;
  const waitFor = (id: string, done: (b: Body) => boolean, timeoutMs = 120_000): Promise<Body> =>
    poll(async () => (await t.http().get(`/api/v1/transcriptions/${id}`).set(as()).expect(200)).body as Body, done, `transcription ${id}`, {
      timeoutMs,
      intervalMs: 100,
    });
  const finished = (b: Body) => b.status === 'completed' || b.status === 'failed';

  it('uploads to S3, a worker transcribes through RabbitMQ, and search finds it', async () => {
    await startWorker();
    const id = await upload(audioFixture('report.wav'), 'report.wav');
    expect(await t.app.get(ObjectStorage).stat(`transcriptions/${id}/audio`)).toMatchObject({ size: audioFixture('report.wav').length });

    const body = await waitFor(id, finished);
    expect(body).toMatchObject({ status: 'completed', engine: 'pocketsphinx', error: null });
    expect(wordAccuracy(AUDIO_TEXTS['report.wav'], body.text)).toBeGreaterThanOrEqual(0.6);
    const hits = (await t.http().get('/api/v1/transcriptions').query({ q: 'reports' }).set(as()).expect(200)).body.items;
    expect(hits.map((h: Body) => h.id)).toEqual([id]);
  });

  it('kills the engine on SIGTERM, requeues the message, and the next worker transcribes it', async () => {
    for (const w of workers.splice(0)) await w.stop();
    // About 40 s of speech: the engine is still busy when the worker is told to stop.
    const id = await upload(repeatedSpeech(audioFixture('fox.wav'), 14), 'long.wav');
    const first = await startWorker();
    await waitFor(id, (b) => b.status === 'processing' && b.duration_s !== null);
    const stopping = Date.now();
    expect(await first.stop('SIGTERM')).toBe(0);
    // The engine is killed, not waited for (it would need tens of seconds more).
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect((await waitFor(id, () => true)).status).toBe('processing');

    await startWorker();
    const body = await waitFor(id, finished, 180_000);
    expect(body.status).toBe('completed');
    expect(body.duration_s).toBeCloseTo(14 * 2.966, 0);
    expect(body.text.split(' ').filter((w: string) => w === 'fox').length).toBeGreaterThanOrEqual(10);
  }, 240_000);
});
