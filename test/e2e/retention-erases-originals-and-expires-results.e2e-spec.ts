import { DataSource } from 'typeorm';
import { RetentionService } from '../../src/core/data-lifecycle/retention.service';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import { audioFixture } from '../factories/audio-fixtures';
import { validLogFile } from '../factories/log-file.factory';
import { astronautJpeg } from '../factories/task-media.factory';
import { poll } from '../utils/poll';
import { createTestApp, TestApp } from '../utils/test-app';

type User = { id: string; token: string; username: string };
type Body = Record<string, unknown>;
const DAY_MS = 24 * 3600 * 1000;

// The sweeper's timer is left at its 300 s default; each test runs a round itself, with a clock
// moved forward instead of waiting for days.
describe('retention erases originals once processed and expires results after RETENTION_DAYS', () => {
  let t: TestApp;
  let alice: User;
  const ids = { job: '', task: '', transcription: '' };
  let transcriptWord = '';

  beforeAll(async () => {
    t = await createTestApp({ STT_ENGINE: 'fake', RETENTION_DAYS: '30', TASKS_MAX_PIXELS: String(20_000_000) });
    alice = await t.createUser();
    const as = { authorization: `Bearer ${alice.token}` };
    const badLine = '{"level": "INFO"}\n';
    ids.job = (
      await t.http().post('/api/v1/files/upload').set(as).attach('file', Buffer.from(validLogFile(5) + badLine), 'app.jsonl').expect(202)
    ).body.job_id;
    ids.task = (await t.http().post('/api/v1/tasks').set(as).send({ file_name: 'a.jpg', media_type: 'image', objects: ['face'] }).expect(201)).body.id;
    await t.http().put(`/api/v1/tasks/${ids.task}/file`).set(as).set('content-type', 'image/jpeg').send(astronautJpeg()).expect(202);
    ids.transcription = (await t.http().post('/api/v1/transcriptions').set(as).attach('file', audioFixture('fox.wav'), 'fox.wav').expect(202)).body.id;
    await waitFor(`/api/v1/jobs/${ids.job}`, 'completed');
    await waitFor(`/api/v1/tasks/${ids.task}`, 'processed');
    await waitFor(`/api/v1/transcriptions/${ids.transcription}`, 'completed');
  }, 180_000);
  afterAll(() => t.close());

  const get = (path: string) => t.http().get(path).set('authorization', `Bearer ${alice.token}`);
  function waitFor(path: string, status: string): Promise<Body> {
    return poll(async () => (await get(path).expect(200)).body as Body, (b) => b.status === status || b.status === 'failed', `${path} ${status}`, {
      timeoutMs: 90_000,
      intervalMs: 100,
    });
  }
  const keys = async (prefix: string) => {
    const found: string[] = [];
    for await (const o of t.app.get(ObjectStorage).list(prefix)) found.push(o.key.slice(prefix.length));
    return found.sort();
  };
  const sweep = (at: Date) => t.app.get(RetentionService).sweep(at);

  it('erases the original image and audio once processed, and keeps the results', async () => {
    expect(await keys(`tasks/${ids.task}/`)).toEqual([expect.stringMatching(/^input-/), 'result.jpg']);
    expect(await keys(`transcriptions/${ids.transcription}/`)).toEqual(['audio']);

    expect(await sweep(new Date())).toEqual({ originals: 2, expired: 0 });

    expect(await keys(`tasks/${ids.task}/`)).toEqual(['result.jpg']);
    expect(await keys(`transcriptions/${ids.transcription}/`)).toEqual([]);
    expect(await keys(`jobs/${ids.job}/`)).toEqual(['source.jsonl']); // a log file is kept like a result
    await get(`/api/v1/tasks/${ids.task}/result`).expect(200);
    const transcription = (await get(`/api/v1/transcriptions/${ids.transcription}`).expect(200)).body;
    expect(transcription).toMatchObject({ status: 'completed', text: expect.stringMatching(/\w/), expired: false, expired_at: null });
    transcriptWord = String(transcription.text).match(/[a-z]{4,}/i)![0];
    expect((await get('/api/v1/transcriptions').query({ q: transcriptWord }).expect(200)).body.items).toHaveLength(1);
    expect(await sweep(new Date())).toEqual({ originals: 0, expired: 0 });
  });

  it('keeps results younger than RETENTION_DAYS', async () => {
    expect(await sweep(new Date(Date.now() + 29 * DAY_MS))).toEqual({ originals: 0, expired: 0 });
    expect((await get(`/api/v1/jobs/${ids.job}`).expect(200)).body).toMatchObject({ expired: false, expired_at: null });
  });

  it('expires results and log files older than RETENTION_DAYS: 410 for them, rows kept with expired: true', async () => {
    expect(await sweep(new Date(Date.now() + 31 * DAY_MS))).toEqual({ originals: 0, expired: 3 });

    expect(await keys(`jobs/${ids.job}/`)).toEqual([]);
    expect(await keys(`tasks/${ids.task}/`)).toEqual([]);
    const db = t.app.get(DataSource);
    expect(await db.query(`SELECT count(*)::int AS n FROM log_entries WHERE job_id = $1`, [ids.job])).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM log_rejections WHERE job_id = $1`, [ids.job])).toEqual([{ n: 0 }]);

    const job = (await get(`/api/v1/jobs/${ids.job}`).expect(200)).body;
    expect(job).toMatchObject({ status: 'completed', entries_ingested: 5, lines_rejected: 1, expired: true, expired_at: expect.any(String) });
    for (const path of [`/api/v1/jobs/${ids.job}/entries`, `/api/v1/jobs/${ids.job}/rejections`]) {
      const res = await get(path).expect(410);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 410, code: 'JOB_EXPIRED' });
    }

    const task = (await get(`/api/v1/tasks/${ids.task}`).expect(200)).body;
    expect(task).toMatchObject({ status: 'processed', anonymised_total: expect.any(Number), expired: true, expired_at: expect.any(String) });
    expect((await get(`/api/v1/tasks/${ids.task}/result`).expect(410)).body).toMatchObject({ status: 410, code: 'TASK_RESULT_EXPIRED' });

    const transcription = (await get(`/api/v1/transcriptions/${ids.transcription}`).expect(200)).body;
    expect(transcription).toMatchObject({ status: 'completed', text: null, segments: [], expired: true, duration_s: expect.any(Number) });
    expect((await get('/api/v1/transcriptions').query({ q: transcriptWord }).expect(200)).body.items).toEqual([]);

    const graphql = await t
      .http()
      .post('/graphql')
      .set('authorization', `Bearer ${alice.token}`)
      .send({ query: `{ job(id: "${ids.job}") { expired expired_at entries_ingested } }` })
      .expect(200);
    expect(graphql.body.data.job).toEqual({ expired: true, expired_at: job.expired_at, entries_ingested: 5 });

    expect(await sweep(new Date(Date.now() + 31 * DAY_MS))).toEqual({ originals: 0, expired: 0 });
  });

  it('deleting an expired task or job still works', async () => {
    await t.http().delete(`/api/v1/jobs/${ids.job}`).set('authorization', `Bearer ${alice.token}`).expect(204);
    await t.http().delete(`/api/v1/tasks/${ids.task}`).set('authorization', `Bearer ${alice.token}`).expect(204);
  });
});
