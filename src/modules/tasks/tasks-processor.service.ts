import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MessageChannel } from 'node:worker_threads';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { ObjectNotFoundError, ObjectStorage } from '../../core/storage/object-storage';
import type { WorkRun } from '../../core/workload/workload-lifecycle';
import type { AnonymisationOutcome } from './engine/anonymisation-job';
import { parseEngineFailure } from './engine/anonymisation-job';
import { AnonymisationEngine } from './engine/anonymisation-engine';
import type { TaskEntity } from './entities/task.entity';
import { resultKey as resultKeyOf } from './task-files';
import { TasksError } from './tasks.errors';
import { TasksRepository } from './tasks.repository';

/**
 * The stateless processor (worker side): everything it needs is read from the task's row and
 * storage; it writes the result and the counts. Idempotent: a redelivered message re-runs the
 * task, overwrites the result and replaces (never adds to) the counts; finished or deleted
 * tasks are left alone (the workload lifecycle starts the task and ends a crash loop).
 */
@Injectable()
export class TasksProcessor {
  private readonly logger = new Logger(TasksProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly tasks: TasksRepository,
    private readonly storage: ObjectStorage,
    private readonly engine: AnonymisationEngine,
  ) {}

  /** One delivery's work; answers the processed task, or null when it was deleted meanwhile (nothing is kept). */
  async process(run: WorkRun<TaskEntity>): Promise<TaskEntity | null> {
    const task = run.row;
    if (!task.inputKey) return null;

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
      const outcome = await this.runEngine(run, input, output);
      await run.checkpoint();
      const resultKey = resultKeyOf(task.id, outcome.contentType);
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
      // Deleted while we worked: its binaries must not come back.
      if (!done) await this.storage.delete(resultKey).catch(() => undefined);
      return done;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async runEngine(run: WorkRun<TaskEntity>, inputPath: string, outputPath: string): Promise<AnonymisationOutcome> {
    const task = run.row;
    const channel = task.mediaType === 'video' ? new MessageChannel() : undefined;
    // Progress is written at most every 5 % (the engine reports no finer), which also heart-beats;
    // a restarted video keeps the percentage already shown until it is passed (run.progress).
    // Writes run one after another and settle before the result is stored, so no progress event
    // follows the `processed` one.
    let writes = Promise.resolve();
    channel?.port1.on('message', (message: { progress: number }) => {
      writes = writes
        .then(() => run.progress(message.progress))
        .then(() => undefined)
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
      await writes;
    }
  }
}
