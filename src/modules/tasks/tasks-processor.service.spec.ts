import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AppConfig } from '../../core/config/app-config';
import { ObjectNotFoundError, type ObjectStorage } from '../../core/storage/object-storage';
import type { AnonymisationEngine } from './engine/anonymisation-engine';
import { engineFailure } from './engine/anonymisation-job';
import type { TaskEntity } from './entities/task.entity';
import type { TaskEvents } from './task-events';
import { MAX_TASK_ATTEMPTS, TasksProcessor } from './tasks-processor.service';
import type { TasksRepository } from './tasks.repository';

function task(overrides: Partial<TaskEntity> = {}): TaskEntity {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    ownerId: 'owner',
    status: 'queued',
    mediaType: 'image',
    objects: ['face'],
    method: 'pixelate',
    quality: 80,
    inputKey: 'tasks/1/input-x',
    attempts: 0,
    ...overrides,
  } as TaskEntity;
}

describe('TasksProcessor', () => {
  let repo: Record<'findById' | 'start' | 'complete' | 'fail' | 'setProgress', jest.Mock>;
  let storage: Record<'get' | 'put' | 'delete', jest.Mock>;
  let engine: { run: jest.Mock };
  let processor: TasksProcessor;

  beforeEach(() => {
    repo = { findById: jest.fn(), start: jest.fn(), complete: jest.fn(), fail: jest.fn(), setProgress: jest.fn() };
    storage = {
      get: jest.fn(async () => Readable.from([Buffer.from('bytes')])),
      put: jest.fn(async () => ({ size: 5 })),
      delete: jest.fn(async () => undefined),
    };
    engine = { run: jest.fn() };
    const events = { emit: jest.fn(async () => undefined) } as unknown as TaskEvents;
    processor = new TasksProcessor(
      AppConfig.from({}),
      repo as unknown as TasksRepository,
      storage as unknown as ObjectStorage,
      engine as unknown as AnonymisationEngine,
      events,
    );
  });

  it('fails closed when the engine is missing: a permanent error, and nothing stored as a result', async () => {
    repo.findById.mockResolvedValue(task());
    repo.start.mockResolvedValue(task({ status: 'processing' }));
    engine.run.mockRejectedValue(engineFailure('ENGINE_UNAVAILABLE', 'blazeface.json is missing'));
    await expect(processor.process(task().id)).rejects.toMatchObject({ code: 'TASK_ENGINE_UNAVAILABLE', retryable: false });
    expect(storage.put).not.toHaveBeenCalled();
    expect(repo.complete).not.toHaveBeenCalled();
  });

  it('fails a file the decoder refuses permanently, with its reason', async () => {
    repo.findById.mockResolvedValue(task());
    repo.start.mockResolvedValue(task({ status: 'processing' }));
    engine.run.mockRejectedValue(engineFailure('UNPROCESSABLE', 'The image could not be decoded: premature end'));
    await expect(processor.process(task().id)).rejects.toMatchObject({ code: 'TASK_UNPROCESSABLE', message: 'The image could not be decoded: premature end' });
  });

  it('retries an unexpected engine crash (not a domain error)', async () => {
    repo.findById.mockResolvedValue(task());
    repo.start.mockResolvedValue(task({ status: 'processing' }));
    engine.run.mockRejectedValue(new Error('worker exited'));
    await expect(processor.process(task().id)).rejects.toThrow('worker exited');
  });

  it('fails a task whose input vanished from storage', async () => {
    repo.findById.mockResolvedValue(task());
    repo.start.mockResolvedValue(task({ status: 'processing' }));
    storage.get.mockRejectedValue(new ObjectNotFoundError('tasks/1/input-x'));
    await expect(processor.process(task().id)).rejects.toMatchObject({ code: 'TASK_UNPROCESSABLE' });
  });

  it.each(['processed', 'failed', 'deleted', 'new'] as const)('leaves a %s task alone (redelivery is harmless)', async (status) => {
    repo.findById.mockResolvedValue(task({ status }));
    await processor.process(task().id);
    expect(repo.start).not.toHaveBeenCalled();
    expect(engine.run).not.toHaveBeenCalled();
  });

  it('stops a crash loop after MAX_TASK_ATTEMPTS starts', async () => {
    repo.findById.mockResolvedValue(task({ status: 'processing', attempts: MAX_TASK_ATTEMPTS }));
    await expect(processor.process(task().id)).rejects.toMatchObject({ code: 'TASK_UNPROCESSABLE' });
    expect(engine.run).not.toHaveBeenCalled();
  });

  it('removes its result again when the task was deleted while it worked', async () => {
    repo.findById.mockResolvedValue(task());
    repo.start.mockResolvedValue(task({ status: 'processing' }));
    engine.run.mockImplementation(async (job: { outputPath: string }) => {
      await writeFile(job.outputPath, 'result');
      return { counts: { face: 1 }, contentType: 'image/jpeg', width: 1, height: 1, frames: null, durationS: null, engine: 'e', engineVersion: 'v', engineMs: 1 };
    });
    repo.complete.mockResolvedValue(null);
    await processor.process(task().id);
    expect(storage.put).toHaveBeenCalledWith(`tasks/${task().id}/result.jpg`, expect.anything(), { contentType: 'image/jpeg' });
    expect(storage.delete).toHaveBeenCalledWith(`tasks/${task().id}/result.jpg`);
  });

  it('gives a dead-lettered task a readable reason, not internal details', async () => {
    repo.fail.mockResolvedValue(task({ status: 'failed' }));
    await processor.failTask(task().id, new Error('connect ECONNREFUSED 10.0.0.5:5432'), 4);
    expect(repo.fail).toHaveBeenCalledWith(task().id, 'The file could not be processed after 4 attempts; it will not be retried.');
  });
});
