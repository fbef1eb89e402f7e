import { validLogFile } from '../factories/log-file.factory';
import { baseUrlOf, StatusClient, StatusWebSocket } from '../utils/realtime-clients';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

/** A slow job (the case study's per-line delay) watched live over both channels. */
describe('realtime progress of a job', () => {
  let t: TestApp;
  let base: string;
  let alice: { token: string };
  let bob: { token: string };
  const clients: { close(): void }[] = [];

  beforeAll(async () => {
    // 40 lines at 0..40 ms each: about a second of simulated work.
    t = await createTestApp({ INGEST_LINE_DELAY_MS_MAX: '40' });
    base = baseUrlOf(t.app);
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t.close();
  });

  const upload = async (user: { token: string }, lines: number) =>
    (
      await t
        .http()
        .post('/api/v1/files/upload')
        .set('authorization', `Bearer ${user.token}`)
        .attach('file', Buffer.from(validLogFile(lines)), 'slow.jsonl')
        .expect(202)
    ).body.job_id as string;

  it('streams ordered, monotonic progress with every 10 % step and the terminal event over Socket.IO', async () => {
    const client = await StatusClient.connect(base, alice.token);
    clients.push(client);
    const jobId = await upload(alice, 40);
    const ack = await client.subscribe('job', jobId);
    expect(ack).toMatchObject({ ok: true, snapshot: { resource: 'job', id: jobId } });

    const done = await client.waitFor('job', jobId, (e) => e.status === 'completed', 'completed event', 20_000);
    expect(done).toMatchObject({ progress: 100, counts: { lines_read: 40, entries_ingested: 40, lines_rejected: 0 } });
    expect(done).not.toHaveProperty('owner');

    const progress = client.of('job', jobId).map((e) => e.progress ?? 0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const steps = new Set(progress.map((p) => Math.floor(p / 10)));
    const startedAt = Math.floor(((ack as { snapshot: { progress?: number } }).snapshot.progress ?? 0) / 10);
    for (let step = startedAt + 1; step <= 10; step++) expect(steps).toContain(step);
  });

  it('refuses a subscription to another user\'s job', async () => {
    const jobId = await upload(alice, 1);
    const client = await StatusClient.connect(base, bob.token);
    clients.push(client);
    expect(await client.subscribe('job', jobId)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('sends a finished job its final snapshot over WebSocket, then closes 1000', async () => {
    const jobId = await upload(alice, 2);
    await poll(
      async () => (await t.http().get(`/api/v1/jobs/${jobId}`).set('authorization', `Bearer ${alice.token}`)).body.status,
      (status) => status === 'completed',
      `job ${jobId} is completed`,
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const ws = new StatusWebSocket(base, `/ws/jobs/${jobId}?access_token=${alice.token}`);
    clients.push(ws);
    expect((await ws.closed).code).toBe(1000);
    expect(ws.messages).toEqual([expect.objectContaining({ resource: 'job', id: jobId, status: 'completed', progress: 100 })]);
  });

  it('follows a running job over WebSocket to its end; 4404 for a foreign job, 4401 for a bad token', async () => {
    const jobId = await upload(alice, 20);
    const ws = new StatusWebSocket(base, `/ws/jobs/${jobId}?access_token=${alice.token}`);
    clients.push(ws);
    expect((await ws.closed).code).toBe(1000);
    expect(ws.messages[ws.messages.length - 1]).toMatchObject({ status: 'completed', progress: 100 });

    const foreign = new StatusWebSocket(base, `/ws/jobs/${jobId}?access_token=${bob.token}`);
    const forged = new StatusWebSocket(base, `/ws/jobs/${jobId}?access_token=not-a-token`);
    clients.push(foreign, forged);
    expect((await foreign.closed).code).toBe(4404);
    expect((await forged.closed).code).toBe(4401);
  });
});
