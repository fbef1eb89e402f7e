import { DataSource } from 'typeorm';
import { UserErasureService } from '../../src/core/data-lifecycle/user-erasure.service';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import { Census, takeCensus, tablesMentioning } from '../utils/data-census';
import { poll } from '../utils/poll';
import { RunningProcess, startWorkerProcess } from '../utils/process';
import { s3Settings, startS3Server } from '../utils/s3-server';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestApp, TestApp } from '../utils/test-app';

const JWT_SECRET = 'services-test-secret-of-at-least-32-chars';
// Two erasure batches (200 items each), so the worker can be killed between them; and fewer than
// 1,000 objects in all, because s3rver fails listings that need a continuation token.
const TASKS = 400;

/**
 * Erasure as production runs it: the API records it and publishes `users.erase` on RabbitMQ; a
 * worker process erases from S3 and PostgreSQL. Killing that worker midway loses nothing: the
 * message comes back to a new worker, which finishes from where the first stopped.
 */
describe('user erasure survives a worker crash (RabbitMQ, PostgreSQL, S3)', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let vhost: ReturnType<typeof createTestVhost>;
  let t: TestApp;
  let env: Record<string, string>;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    s3 = await startS3Server();
    vhost = createTestVhost();
    env = {
      RABBITMQ_URL: vhost.url,
      ...s3Settings(s3.endpoint, 'horizon-erasure-test'),
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      WORKER_QUEUES: 'users.erase',
    };
    t = await createTestApp(env, { databaseBaseUrl: SERVICES.databaseUrl, withWorker: false });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await t?.close();
    await s3?.close();
    vhost?.remove();
  });

  async function startWorker(): Promise<RunningProcess> {
    const worker = await startWorkerProcess({ ...env, DATABASE_URL: t.databaseUrl });
    workers.push(worker);
    return worker;
  }

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    Number(((await t.app.get(DataSource).query(sql, params)) as { n: string }[])[0].n);

  /** Enough processed tasks, each with an original and a result in S3, that an erasure takes a while. */
  async function giveTasks(ownerId: string): Promise<void> {
    const rows: { id: string }[] = await t.app.get(DataSource).query(
      `INSERT INTO tasks (id, owner_id, file_name, media_type, objects, method, quality, status, processing_finished_at)
       SELECT gen_random_uuid(), $1, 'street.jpg', 'image', '{face}', 'blur', 80, 'processed', now() FROM generate_series(1, $2)
       RETURNING id`,
      [ownerId, TASKS],
    );
    const storage = t.app.get(ObjectStorage);
    const puts = rows.flatMap(({ id }) => [`tasks/${id}/input-1`, `tasks/${id}/result.jpg`]);
    for (let i = 0; i < puts.length; i += 8) {
      await Promise.all(puts.slice(i, i + 8).map((key) => storage.put(key, Buffer.from(`bytes of ${key}`))));
    }
    await t.app.get(DataSource).query(`UPDATE tasks SET input_key = 'tasks/' || id || '/input-1', result_key = 'tasks/' || id || '/result.jpg' WHERE owner_id = $1`, [
      ownerId,
    ]);
  }

  it('a new worker finishes an erasure whose worker was killed midway; nothing of the user is left', async () => {
    const bob = await t.createUser();
    await t.http().post('/api/v1/ecgs').set('authorization', `Bearer ${bob.token}`).send({ date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1] }] }).expect(202);
    const before = await takeCensus(t);

    const alice = await t.createUser();
    await giveTasks(alice.id);
    await t.http().post('/api/v1/ecgs').set('authorization', `Bearer ${alice.token}`).send({ date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1] }] }).expect(202);
    expect((await takeCensus(t)).objects).toHaveLength(before.objects.length + 2 * TASKS);

    await t.app.get(UserErasureService).requestErasure(alice.id, 'req-crash');
    const first = await startWorker();
    const remaining = await poll(
      () => count(`SELECT count(*) AS n FROM tasks WHERE owner_id = $1`, [alice.id]),
      (n) => n < TASKS,
      'the first worker has erased some of the tasks',
      { timeoutMs: 120_000, intervalMs: 20 },
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect(remaining).toBeGreaterThan(0); // killed midway, not after the end
    expect(await count(`SELECT count(*) AS n FROM user_erasures WHERE user_id = $1`, [alice.id])).toBe(1);

    await startWorker();
    await poll(() => count(`SELECT count(*) AS n FROM users WHERE id = $1`, [alice.id]), (n) => n === 0, 'alice erased by the second worker', {
      timeoutMs: 180_000,
      intervalMs: 200,
    });

    // The admin's audit rows and login tokens grow with creating alice; alice is in neither (below).
    const withoutAdminActivity = (c: Census): Census => ({ ...c, rows: { ...c.rows, audit_events: 0, access_tokens: 0 } });
    expect(withoutAdminActivity(await takeCensus(t))).toEqual(withoutAdminActivity(before));
    expect(await tablesMentioning(t, alice.id, ['audit_events'])).toEqual([]);
  }, 360_000);
});
