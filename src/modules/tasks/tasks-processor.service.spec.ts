import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AppConfig } from '../../core/config/app-config';
import { ObjectNotFoundError, type ObjectStorage } from '../../core/storage/object-storage';
import type { AnonymisationEngine } from './engine/anonymisation-engine';
import { engineFailure } from './engine/anonymisation-job';
import type { TaskEntity } from './entities/task.entity';
import type { WorkRun } from '../../core/workload/workload-lifecycle';
import { TasksProcessor } from './tasks-processor.service';
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

/** A delivery of the task as the workload lifecycle hands it over (started: processing). */
function run(overrides: Partial<TaskEntity> = {}, cancelled = false): WorkRun<TaskEntity> {
  const row = task({ status: 'processing', attempts: 1, ...overrides });
  return {
    row,
    key: row.id,
    signal: new AbortController().signal,
    progress: jest.fn(async () => !cancelled),
    checkpoint: jest.fn(async () => {
      if (cancelled) throw new Error('cancelled');
    }),
  };
}

describe('TasksProcessor', () => {
  let repo: Record<'complete', jest.Mock>;
  let storage: Record<'get' | 'put' | 'delete', jest.Mock>;
  let engine: { run: jest.Mock };
  let processor: TasksProcessor;

  beforeEach(() => {
    repo = { complete: jest.fn() };
    storage = {
      get: jest.fn(async () => Readable.from([Buffer.from('bytes')])),
      put: jest.fn(async () => ({ size: 5 })),
      delete: jest.fn(async () => undefined),
    };
    engine = { run: jest.fn() };
    processor = new TasksProcessor(
      AppConfig.from({}),
      repo as unknown as TasksRepository,
      storage as unknown as ObjectStorage,
      engine as unknown as AnonymisationEngine,
    );
  });

  it('fails closed when the engine is missing: a permanent error, and nothing stored as a result', async () => {
    engine.run.mockRejectedValue(engineFailure('ENGINE_UNAVAILABLE', 'blazeface.json is missing'));
    await expect(processor.process(run())).rejects.toMatchObject({ code: 'TASK_ENGINE_UNAVAILABLE', retryable: false });
    expect(storage.put).not.toHaveBeenCalled();
    expect(repo.complete).not.toHaveBeenCalled();
  });

  it('fails a file the decoder refuses permanently, with its reason', async () => {
    engine.run.mockRejectedValue(engineFailure('UNPROCESSABLE', 'The image could not be decoded: premature end'));
    await expect(processor.process(run())).rejects.toMatchObject({ code: 'TASK_UNPROCESSABLE', message: 'The image could not be decoded: premature end' });
  });

  it('retries an unexpected engine crash (not a domain error)', async () => {
    engine.run.mockRejectedValue(new Error('worker exited'));
    await expect(processor.process(run())).rejects.toThrow('worker exited');
  });

  it('fails a task whose input vanished from storage', async () => {
    storage.get.mockRejectedValue(new ObjectNotFoundError('tasks/1/input-x'));
    await expect(processor.process(run())).rejects.toMatchObject({ code: 'TASK_UNPROCESSABLE' });
  });

  it('removes its result again when the task was deleted while it worked', async () => {
    engine.run.mockImplementation(async (job: { outputPath: string }) => {
      await writeFile(job.outputPath, 'result');
      return { counts: { face: 1 }, contentType: 'image/jpeg', width: 1, height: 1, frames: null, durationS: null, engine: 'e', engineVersion: 'v', engineMs: 1 };
    });
    repo.complete.mockResolvedValue(null);
    await processor.process(run());
    expect(storage.put).toHaveBeenCalledWith(`tasks/${task().id}/result.jpg`, expect.anything(), { contentType: 'image/jpeg' });
    expect(storage.delete).toHaveBeenCalledWith(`tasks/${task().id}/result.jpg`);
  });

  it('stores nothing when the task was deleted while the engine ran', async () => {
    engine.run.mockImplementation(async (job: { outputPath: string }) => {
      await writeFile(job.outputPath, 'result');
      return { counts: { face: 1 }, contentType: 'image/jpeg', width: 1, height: 1, frames: null, durationS: null, engine: 'e', engineVersion: 'v', engineMs: 1 };
    });
    await expect(processor.process(run({}, true))).rejects.toThrow('cancelled');
    expect(storage.put).not.toHaveBeenCalled();
    expect(repo.complete).not.toHaveBeenCalled();
  });
});
