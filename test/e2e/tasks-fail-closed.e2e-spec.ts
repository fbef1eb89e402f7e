import { astronautJpeg } from '../factories/task-media.factory';
import { poll } from '../utils/poll';
import { createTestApp, TestApp } from '../utils/test-app';

/** Without its engine a task fails with a reason; nothing is ever served as anonymised. */
describe('tasks: a missing engine fails closed', () => {
  let t: TestApp;
  let alice: { token: string };
  beforeAll(async () => {
    t = await createTestApp({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
    alice = await t.createUser();
  });
  afterAll(() => t.close());

  const waitForTerminal = (id: string, auth: Record<string, string>) =>
    poll(
      async () => (await t.http().get(`/api/v1/tasks/${id}`).set(auth).expect(200)).body,
      (info) => ['processed', 'failed'].includes(info.status),
      `task ${id} is processed or failed`,
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  it('fails a video task at once when ffmpeg cannot run, and serves no result', async () => {
    const auth = { authorization: `Bearer ${alice.token}` };
    const task = (await t.http().post('/api/v1/tasks').set(auth).send({ file_name: 'clip.mp4', media_type: 'video', objects: ['face'] }).expect(201)).body;
    // The bytes only need to sniff as MP4: the engine is checked before the file is read.
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom', 'latin1'), Buffer.alloc(4096)]);
    await t.http().put(`/api/v1/tasks/${task.id}/file`).set(auth).set('content-type', 'video/mp4').send(mp4).expect(202);

    const info = await waitForTerminal(task.id, auth);
    expect(info).toMatchObject({ status: 'failed', anonymised_objects: null });
    expect(info.error).toMatch(/anonymisation engine is not available: ffmpeg cannot run/);
    expect(info.error).not.toMatch(/nonexistent/); // the reason names no server path
    await t.http().get(`/api/v1/tasks/${task.id}/result`).set(auth).expect(409);
  });

  it('still anonymises images, which need no ffmpeg', async () => {
    const auth = { authorization: `Bearer ${alice.token}` };
    const task = (await t.http().post('/api/v1/tasks').set(auth).send({ file_name: 'a.jpg', media_type: 'image', objects: ['face'] }).expect(201)).body;
    await t.http().put(`/api/v1/tasks/${task.id}/file`).set(auth).set('content-type', 'image/jpeg').send(astronautJpeg()).expect(202);
    const info = await waitForTerminal(task.id, auth);
    expect(info).toMatchObject({ status: 'processed', anonymised_objects: { face: 1 } });
  });
});
