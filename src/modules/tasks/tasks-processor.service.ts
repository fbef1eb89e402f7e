import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MessageChannel } from 'node:worker_threads';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { objectKey } from '../../core/storage/object-keys';
import { ObjectNotFoundError, ObjectStorage } from '../../core/storage/object-storage';
import type { AnonymisationOutcome } from './engine/anonymisation-job';
import { parseEngineFailure } from './engine/anonymisation-job';
import { AnonymisationEngine } from './engine/anonymisation-engine';
import type { TaskEntity } from './entities/task.entity';
import { TaskEvents } from './task-events';
import { TasksError } from './tasks.errors';
import { TasksRepository } from './tasks.repository';

/** A task started this many times without finishing is failed (crash loops on a poisonous file). */
export const MAX_TASK_ATTEMPTS = 5;

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'video/mp4': 'mp4' };

/**
 * The stateless processor (worker side): everything it needs is read from the task's row and
 * storage; it writes the result and the counts. Idempotent: a redelivered message re-runs the
 * task, overwrites the result and replaces (never adds to) the counts; finished or deleted
 * tasks are left alone.
 */
@Injectable()
export class TasksProcessor {
  private readonly logger = new Logger(TasksProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly tasks: TasksRepository,
    private readonly storage: ObjectStorage,
    private readonly engine: AnonymisationEngine,
    private readonly events: TaskEvents,
  ) {}

  async process(taskId: string): Promise<void> {
    const existing = await this.tasks.findById(taskId);
    if (!existing || (existing.status !== 'queued' && existing.status !== 'processing')) return;
    if (existing.attempts >= MAX_TASK_ATTEMPTS) {
      throw TasksError.unprocessable(`Processing was started ${existing.attempts} times without finishing; the file is not processed again.`);
    }
    const task = await this.tasks.start(taskId);
    if (!task?.inputKey) return;
    await this.events.emit(task);

    const dir = await mkdtemp(join(tmpdir(), 'horizon-task-'));
    try {
      const input = join(dir, 'input');
      try {
        await pipeline(await this.storage.get(task.inputKey), createWriteStream(input));
      } catch (error) {
        if (error instanceof ObjectNotFoundError) throw TasksError.unprocessable('The uploaded file is missing from storage.');
        throw error;
      }
      const output = join(dir, task.mediaType === 'video' ? 'output.mp4' : 'output');
      const outcome = await this.runEngine(task, input, output);
      const resultKey = objectKey('tasks', task.id, `result.${EXTENSIONS[outcome.contentType] ?? 'bin'}`);
      const { size } = await this.storage.put(resultKey, createReadStream(output), { contentType: outcome.contentType });
      const done = await this.tasks.complete(task.id, {
        resultKey,
        resultContentType: outcome.contentType,
        resultSizeBytes: size,
        counts: outcome.counts,
        width: outcome.width,
        height: outcome.height,
        frameCount: outcome.frames,
        durationS: outcome.durationS,
        engine: outcome.engine,
        engineVersion: outcome.engineVersion,
      });
      if (!done) {
        // Deleted while we worked: its binaries must not come back.
        await this.storage.delete(resultKey).catch(() => undefined);
        return;
      }
      await this.events.emit(done);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async runEngine(task: TaskEntity, inputPath: string, outputPath: string): Promise<AnonymisationOutcome> {
    const channel = task.mediaType === 'video' ? new MessageChannel() : undefined;
    let reported = 0;
    channel?.port1.on('message', (message: { progress: number }) => {
      // Progress is written at most every 5 % (the engine reports no finer), which also heart-beats.
      if (message.progress <= reported) return;
      reported = message.progress;
      void this.tasks
        .setProgress(task.id, message.progress)
        .then((moved) => (moved ? this.events.emit({ ...task, status: 'processing', progress: message.progress }) : undefined))
        .catch((error: Error) => this.logger.warn(`task ${task.id}: progress not saved: ${error.message}`));
    });
    try {
      return await this.engine.run({
        kind: task.mediaType,
        inputPath,
        outputPath,
        objects: task.objects,
        method: task.method,
        quality: task.quality,
        maxPixels: this.config.tasks.maxPixels,
        platesHideVehicle: this.config.tasks.platesHideVehicle,
        platesStrict: this.config.tasks.platesStrict,
        ffmpegPath: this.config.ffmpegPath,
        progressPort: channel?.port2,
      });
    } catch (error) {
      const failure = parseEngineFailure(error);
      if (failure?.kind === 'ENGINE_UNAVAILABLE') throw TasksError.engineUnavailable(failure.reason);
      if (failure?.kind === 'UNPROCESSABLE') throw TasksError.unprocessable(failure.reason);
      throw error;
    } finally {
      channel?.port1.close();
    }
  }

  /**
   * Called once the messaging layer gave up on the task's message: the task becomes `failed`
   * with a reason a user can read; internal details stay in the logs. Never a result.
   */
  async failTask(taskId: string, cause: Error, attempts: number): Promise<void> {
    const reason =
      cause instanceof DomainError || cause.name === 'TasksError'
        ? cause.message
        : `The file could not be processed after ${attempts} attempt${attempts === 1 ? '' : 's'}; it will not be retried.`;
    const failed = await this.tasks.fail(taskId, reason);
    if (!failed) return;
    this.logger.warn(`task ${taskId} failed: ${cause.message}`);
    await this.events.emit(failed);
  }
}
