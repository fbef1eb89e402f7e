import { DataSource } from 'typeorm';
import { UserErasureService } from '../../src/core/data-lifecycle/user-erasure.service';
import { UserErasureSweeper } from '../../src/core/data-lifecycle/user-erasure.sweeper';
import { audioFixture } from '../factories/audio-fixtures';
import { validLogFile } from '../factories/log-file.factory';
import { astronautJpeg } from '../factories/task-media.factory';
import { Census, takeCensus, tablesMentioning } from '../utils/data-census';
import { poll } from '../utils/poll';
import { createTestApp, TestApp } from '../utils/test-app';

type User = { id: string; token: string; username: string };
type Body = Record<string, unknown>;

// Append-only by design (DESIGN §4, audit log of admin actions): creating and deleting a user adds
// records there, which name the account by id on purpose.
const APPEND_ONLY = ['audit_events'];
// Tables other users' activity during the test grows (the admin's audit rows and the tokens of its
// logins): left out of the count comparison, never out of the search for alice's id and username.
const GROWN_BY_OTHERS = [...APPEND_ONLY, 'access_tokens'];

describe('user erasure removes every row and every object of the user', () => {
  let t: TestApp;
  let bob: User;
  let before: Census;

  beforeAll(async () => {
    // A slow ingest keeps one job in flight while the erasure runs; small files still finish fast.
    t = await createTestApp({ STT_ENGINE: 'fake', INGEST_LINE_DELAY_MS_MAX: '30', TASKS_MAX_PIXELS: String(20_000_000) });
    bob = await t.createUser();
    await populate(bob);
    before = await takeCensus(t);
  }, 180_000);
  afterAll(() => t.close());

  const as = (user: User) => ({ authorization: `Bearer ${user.token}` });
  const get = (user: User, path: string) => t.http().get(path).set(as(user));
  const waitFor = (user: User, path: string, done: (b: Body) => boolean, what: string, timeoutMs = 90_000) =>
    poll(async () => (await get(user, path).expect(200)).body as Body, done, what, { timeoutMs, intervalMs: 100 });
  const finished = (b: Body) => ['completed', 'failed', 'processed'].includes(String(b.status));

  /** One finished item of every workload. */
  async function populate(user: User): Promise<void> {
    const job = (await t.http().post('/api/v1/files/upload').set(as(user)).attach('file', Buffer.from(validLogFile(5)), 'app.jsonl').expect(202)).body;
    const task = (
      await t.http().post('/api/v1/tasks').set(as(user)).send({ file_name: 'astronaut.jpg', media_type: 'image', objects: ['face'] }).expect(201)
    ).body;
    await t.http().put(`/api/v1/tasks/${task.id}/file`).set(as(user)).set('content-type', 'image/jpeg').send(astronautJpeg()).expect(202);
    const transcription = (await t.http().post('/api/v1/transcriptions').set(as(user)).attach('file', audioFixture('fox.wav'), 'fox.wav').expect(202)).body;
    await t.http().post('/api/v1/ecgs').set(as(user)).send({ id: 'ecg-1', date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 2] }] }).expect(202);
    await t.http().post('/api/v1/series').set(as(user)).send({ name: 'temp', points: [{ timestamp: '2025-01-01T00:00:00Z', value: 1 }] }).expect(201);

    await waitFor(user, `/api/v1/jobs/${job.job_id}`, finished, 'job finished');
    await waitFor(user, `/api/v1/tasks/${task.id}`, finished, 'task finished');
    await waitFor(user, `/api/v1/transcriptions/${transcription.id}`, finished, 'transcription finished');
    await waitFor(user, '/api/v1/ecgs/ecg-1', finished, 'ECG finished');
  }

  it('erases everything of the user, work in flight included, and nothing of anyone else', async () => {
    const alice = await t.createUser();
    await populate(alice);
    // A long file still being ingested when the erasure starts.
    const inFlight = (await t.http().post('/api/v1/files/upload').set(as(alice)).attach('file', Buffer.from(validLogFile(400)), 'long.jsonl').expect(202))
      .body;
    await waitFor(alice, `/api/v1/jobs/${inFlight.job_id}`, (b) => b.status === 'processing' && Number(b.lines_read) > 0, 'ingest under way');

    const during = await takeCensus(t);
    for (const table of ['users', 'jobs', 'log_entries', 'tasks', 'transcriptions', 'ecgs', 'ecg_leads', 'series']) {
      expect([table, during.rows[table]]).toEqual([table, expect.any(Number)]);
      expect(during.rows[table]).toBeGreaterThan(before.rows[table]);
    }
    for (const prefix of ['jobs/', 'tasks/', 'transcriptions/']) {
      expect(during.objects.filter((k) => k.startsWith(prefix)).length).toBeGreaterThan(before.objects.filter((k) => k.startsWith(prefix)).length);
    }

    await t.app.get(UserErasureService).requestErasure(alice.id, 'req-erase-alice');
    await t.app.get(UserErasureService).requestErasure(alice.id, 'req-erase-alice-again'); // idempotent

    // Objects a worker still busy on alice's work writes are removed by that worker or the erasure.
    const after = await poll(
      () => takeCensus(t),
      (c) => JSON.stringify(withoutAppendOnly(c)) === JSON.stringify(withoutAppendOnly(before)),
      'storage and every table back to what they held before alice',
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch(async (error: Error) => {
      const now = await takeCensus(t);
      throw new Error(`${error.message}\nbefore: ${JSON.stringify(before)}\nnow: ${JSON.stringify(now)}`);
    });
    expect(withoutAppendOnly(after)).toEqual(withoutAppendOnly(before));
    expect(await tablesMentioning(t, alice.id, APPEND_ONLY)).toEqual([]);
    expect(await tablesMentioning(t, alice.username, APPEND_ONLY)).toEqual([]);

    // Alice is gone for good; bob still has all of his.
    // 401 once the auth feature refuses an erased user's token at once; until then the principal
    // cache may still let it through, but there is nothing left to see.
    expect([401, 404]).toContain((await get(alice, '/api/v1/ecgs/ecg-1')).status);
    await expect(t.app.get(UserErasureService).requestErasure(alice.id)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await get(bob, '/api/v1/ecgs/ecg-1').expect(200);
    expect(((await get(bob, '/api/v1/jobs').expect(200)).body as { items: unknown[] }).items).toHaveLength(1);

    // The username can be taken again, and nothing of the old account shows.
    const again = await t.createUser(alice.username);
    expect(again.id).not.toBe(alice.id);
    await get(again, '/api/v1/ecgs/ecg-1').expect(404);
    for (const list of ['/api/v1/jobs', '/api/v1/tasks', '/api/v1/transcriptions', '/api/v1/ecgs', '/api/v1/series']) {
      expect([list, ((await get(again, list).expect(200)).body as { items: unknown[] }).items]).toEqual([list, []]);
    }
  }, 240_000);

  it('erases a user who has nothing but the account', async () => {
    const carol = await t.createUser();

    await t.app.get(UserErasureService).requestErasure(carol.id);

    await poll(
      async () => Number((await t.app.get(DataSource).query(`SELECT count(*) AS n FROM users WHERE id = $1`, [carol.id]))[0].n),
      (n) => n === 0,
      'carol erased',
    );
    expect(await tablesMentioning(t, carol.id, APPEND_ONLY)).toEqual([]);
  });

  it('the sweeper re-publishes an erasure whose message was lost', async () => {
    const dave = await t.createUser();
    await t.http().post('/api/v1/ecgs').set(as(dave)).send({ date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1] }] }).expect(202);
    // Recorded, but never published: what a broker outage right after the INSERT leaves behind.
    await t.app.get(DataSource).query(`INSERT INTO user_erasures (user_id, updated_at) VALUES ($1, now() - interval '1 hour')`, [dave.id]);

    expect(await t.app.get(UserErasureSweeper).sweep()).toBe(1);

    await poll(
      async () => Number((await t.app.get(DataSource).query(`SELECT count(*) AS n FROM users WHERE id = $1`, [dave.id]))[0].n),
      (n) => n === 0,
      'dave erased',
    );
    expect(await tablesMentioning(t, dave.id, APPEND_ONLY)).toEqual([]);
    expect(await t.app.get(UserErasureSweeper).sweep({ staleAfterMs: 0 })).toBe(0);
  });

  it('answers USER_NOT_FOUND for an unknown user and records nothing', async () => {
    await expect(t.app.get(UserErasureService).requestErasure('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
    expect(Number((await t.app.get(DataSource).query(`SELECT count(*) AS n FROM user_erasures`))[0].n)).toBe(0);
  });
});

function withoutAppendOnly(census: Census): Census {
  return { rows: Object.fromEntries(Object.entries(census.rows).filter(([table]) => !GROWN_BY_OTHERS.includes(table))), objects: census.objects };
}
