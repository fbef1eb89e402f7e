import type { MessagePublisher } from '../../core/messaging/message-publisher';
import type { TaskEntity } from './entities/task.entity';
import { TasksSweeper } from './tasks-sweeper.service';
import { TASKS_ANONYMISE } from './tasks.messages';
import type { TasksRepository } from './tasks.repository';

describe('TasksSweeper', () => {
  it('re-publishes the tasks stuck in queued or processing that it claimed', async () => {
    const stale = [{ id: 'a', status: 'queued' }, { id: 'b', status: 'processing' }] as TaskEntity[];
    const repository = { claimStale: jest.fn(async () => stale) };
    const publisher = { publish: jest.fn(async () => undefined) };
    const sweeper = new TasksSweeper(repository as unknown as TasksRepository, publisher as unknown as MessagePublisher, {
      intervalMs: 10,
      staleAfterMs: 700,
      batchSize: 3,
    });

    await sweeper.sweep();

    expect(repository.claimStale).toHaveBeenCalledWith(700, 3);
    expect(publisher.publish.mock.calls).toEqual([
      [TASKS_ANONYMISE, { task_id: 'a' }],
      [TASKS_ANONYMISE, { task_id: 'b' }],
    ]);
  });
});
