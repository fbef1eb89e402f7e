import { DataSource } from 'typeorm';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import type { StatusEvent } from '../../src/core/realtime/status-event';
import { StatusEventBus } from '../../src/core/realtime/status-event-bus';
import type { TaskResponseDto } from '../../src/modules/tasks/dto/task.dto';
import { workloadSweeperToken } from '../../src/core/workload/workload';
import type { WorkloadSweeper } from '../../src/core/workload/workload-sweeper';
import { TASKS_ANONYMISE } from '../../src/modules/tasks/tasks.messages';
import { astronautJpeg } from '../factories/task-media.factory';
import { poll } from '../utils/poll';
import { createTestApp, TestApp } from '../utils/test-app';

/** The processor's delivery guarantees: a lost publish is recovered, a redelivery changes nothing. */
describe('tasks: lost messages, redeliveries and racing uploads', () => {
  let t: TestApp;
  let alice: { token: string };
  beforeAll(async () => {
    t = await createTestApp();
    alice = await t.createUser();
  });
  afterAll(() => t.close());

  const auth = () => ({ authorization: `Bearer ${alice.token}` });
  const newTask = async () =>
    (await t.http().post('/api/v1/tasks').set(auth()).send({ file_name: 'a.jpg', media_type: 'image', objects: ['face', 'person'] }).expect(201)).body.id as string;
  const put = (id: string) => t.http().put(`/api/v1/tasks/${id}/file`).set(auth()).set('content-type', 'image/jpeg').send(astronautJpeg());
  const waitFor = (id: string, status: string): Promise<TaskResponseDto> =>
    poll(
      async () => (await t.http().get(`/api/v1/tasks/${id}`).set(auth()).expect(200)).body as TaskResponseDto,
      (task) => task.status === status || task.status === 'failed',
      `task ${id} is ${status}`,
      { timeoutMs: 90_000, intervalMs: 100 },
    ).then((task) => {
      if (task.status !== status) throw new Error(`task is ${task.status}: ${task.error}`);
      return task;
    });

  it('processes a task whose message was lost once the sweeper re-publishes it', async () => {
    const id = await newTask();
    jest.spyOn(t.app.get(MessagePublisher), 'publish').mockRejectedValueOnce(new Error('broker unreachable'));
    await put(id).expect(202);
    expect((await t.http().get(`/api/v1/tasks/${id}`).set(auth()).expect(200)).body.status).toBe('queued');

    await t.app.get<WorkloadSweeper<never, never>>(workloadSweeperToken('task')).sweep({ staleAfterMs: 0 });
    expect((await waitFor(id, 'processed')).anonymised_objects).toEqual({ face: 1, person: 1 });
  });

  it('redelivered after a crash mid-processing, it writes the result again without doubling the counts, and its progress never runs backwards', async () => {
    const seen: StatusEvent[] = [];
    const unsubscribe = t.app.get(StatusEventBus).subscribe((event) => seen.push(event));
    const id = await newTask();
    await put(id).expect(202);
    const first = await waitFor(id, 'processed');

    // As if the worker died after writing the result but before acking: the row says processing.
    const db = t.app.get(DataSource);
    await db.query(`UPDATE tasks SET status = 'processing' WHERE id = $1`, [id]);
    await t.app.get(MessagePublisher).publish(TASKS_ANONYMISE, { task_id: id });
    const again = await waitFor(id, 'processed');

    expect(again.anonymised_objects).toEqual(first.anonymised_objects);
    unsubscribe();
    // What a watcher saw: the percentage never drops below an earlier maximum, and the restart says so.
    const mine = seen.filter((e) => e.resource === 'task' && e.id === id);
    const progress = mine.filter((e) => e.progress !== undefined).map((e) => e.progress!);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(mine).toContainEqual(expect.objectContaining({ status: 'processing', stage: 'retrying', attempt: 2, progress: 100 }));
    const rows: { object_type: string; count: number }[] = await db.query('SELECT object_type, count FROM task_object_counts WHERE task_id = $1 ORDER BY object_type', [id]);
    expect(rows).toEqual([
      { object_type: 'face', count: 1 },
      { object_type: 'person', count: 1 },
    ]);
    await t.http().get(`/api/v1/tasks/${id}/result`).set(auth()).expect(200);
  });

  it('accepts exactly one of two uploads racing to the same task', async () => {
    const id = await newTask();
    const answers = await Promise.all([put(id), put(id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    await waitFor(id, 'processed');
  });
});
