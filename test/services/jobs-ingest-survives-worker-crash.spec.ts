import amqp from 'amqplib';
import { Client } from 'pg';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import { logLine, validLogFile } from '../factories/log-file.factory';
import { RunningProcess, startWorkerProcess } from '../utils/process';
import { s3Settings, startS3Server } from '../utils/s3-server';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

const JWT_SECRET = 'services-test-secret-of-at-least-32-chars';

/**
 * The jobs workload as production runs it: an API (this process), worker processes, RabbitMQ,
 * PostgreSQL and an S3 server.
 */
describe('jobs ingestion on real services', () => {
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
      ...s3Settings(s3.endpoint, 'horizon-jobs-test'),
      JWT_SECRET,
      LOG_LEVEL: 'warn',
    };
    // The API only: workers are separate processes that the tests start and kill.
    t = await createTestApp(env, { databaseBaseUrl: SERVICES.databaseUrl, withWorker: false });
    user = await t.createUser();
  });
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

  /** Tampering with a stored file must happen while no worker can pick the job up. */
  async function stopWorkers(): Promise<void> {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) expect(await w.stop()).toBe(0);
    }
  }

  const as = () => ({ authorization: `Bearer ${user.token}` });
  const upload = (content: string, name = 'app.jsonl') =>
    t.http().post('/api/v1/files/upload').set(as()).attach('file', Buffer.from(content), name).expect(202);
  const getJob = async (id: string) => (await t.http().get(`/api/v1/jobs/${id}`).set(as()).expect(200)).body;

  const waitFor = (id: string, done: (job: Record<string, unknown>) => boolean) =>
    poll(() => getJob(id), done, `job ${id} reaches the expected state`, { timeoutMs: 120_000, intervalMs: 100 });
  const finished = (job: Record<string, unknown>) => job.status === 'completed' || job.status === 'failed';

  async function countEntries(jobId: string): Promise<{ rows: number; distinct: number }> {
    const client = new Client(t.databaseUrl);
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS rows, count(DISTINCT line_no)::int AS distinct FROM log_entries WHERE job_id = $1', [jobId]);
    await client.end();
    return rows[0];
  }

  it('resumes after kill -9 mid-file with every valid line exactly once', async () => {
    const valid = 150_000;
    // One invalid line every 1,000, so rejections are resumed too.
    const lines = validLogFile(valid).trimEnd().split('\n');
    for (let i = 1000; i < lines.length; i += 1001) lines.splice(i, 0, 'not json');
    const invalid = lines.length - valid;
    await stopWorkers();
    const jobId = (await upload(`${lines.join('\n')}\n`)).body.job_id;

    const first = await startWorker();
    await waitFor(jobId, (job) => (job.progress as number) >= 15 || finished(job));
    first.child.kill('SIGKILL');
    await first.exited;
    const interrupted = await getJob(jobId);
    expect(interrupted.status).toBe('processing');
    expect(interrupted.progress).toBeLessThan(100);

    await startWorker();
    const job = await waitFor(jobId, finished);
    expect(job).toMatchObject({ status: 'completed', entries_ingested: valid, lines_rejected: invalid, lines_read: lines.length });
    expect(await countEntries(jobId)).toEqual({ rows: valid, distinct: valid });
  });

  it('checkpoints and exits 0 on SIGTERM mid-file; the next worker finishes exactly', async () => {
    await stopWorkers();
    const valid = 150_000;
    const jobId = (await upload(validLogFile(valid))).body.job_id;
    const first = await startWorker();
    await waitFor(jobId, (job) => (job.progress as number) >= 15 || finished(job));
    const started = Date.now();
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const paused = await getJob(jobId);
    expect(paused.status).toBe('processing');
    expect(paused.lines_read).toBeGreaterThan(0);

    await startWorker();
    const job = await waitFor(jobId, finished);
    expect(job).toMatchObject({ status: 'completed', entries_ingested: valid, lines_read: valid });
    expect(await countEntries(jobId)).toEqual({ rows: valid, distinct: valid });
  });

  it('fails a job whose file disappeared from storage, with a clear error', async () => {
    await stopWorkers();
    const jobId = (await upload(validLogFile(10))).body.job_id;
    await t.app.get(ObjectStorage).delete(`jobs/${jobId}/source.jsonl`);
    await startWorker();
    const job = await waitFor(jobId, finished);
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/missing/) });
  });

  it('dead-letters a poison job and fails it, while the next job still completes', async () => {
    await stopWorkers();
    const poisonId = (await upload(validLogFile(10))).body.job_id;
    // The stored file turns binary behind the API's back: no retry can ever succeed.
    await t.app.get(ObjectStorage).put(`jobs/${poisonId}/source.jsonl`, Buffer.from([0x7b, 0, 0, 0x7d]));
    await startWorker();
    const poison = await waitFor(poisonId, finished);
    expect(poison).toMatchObject({ status: 'failed', error: expect.stringMatching(/not UTF-8 text/) });

    const nextId = (await upload(`${logLine()}\n`)).body.job_id;
    expect(await waitFor(nextId, finished)).toMatchObject({ status: 'completed', entries_ingested: 1 });

    const connection = await amqp.connect(vhost.url);
    const channel = await connection.createChannel();
    const dead = await channel.checkQueue('jobs.ingest.dead');
    await connection.close();
    expect(dead.messageCount).toBeGreaterThanOrEqual(1);
  });
});
