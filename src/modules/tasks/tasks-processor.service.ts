import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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
import type { VideoChunk, VideoResume } from './engine/video-chunks';
import { checkpointChunkKey, checkpointManifestKey, checkpointPrefix, resultKey as resultKeyOf } from './task-files';
import { TasksError } from './tasks.errors';
import { TasksRepository } from './tasks.repository';

/**
 * The stateless processor (worker side): everything it needs is read from the task's row and
 * storage; it writes the result and the counts. Idempotent: a redelivered message re-runs the
 * task, overwrites the result and replaces (never adds to) the counts; finished or deleted
 * tasks are left alone (the workload lifecycle starts the task and ends a crash loop). A video's
 * result is checkpointed chunk by chunk under `tasks/<id>/checkpoint/` (video-chunks.ts): a
 * redelivered video resumes after its last checkpointed chunk; the checkpoint is removed once the
 * result is stored.
 */

/** What `tasks/<id>/checkpoint/manifest.json` holds. */
interface CheckpointManifest {
  /** The upload the chunks were made from: a checkpoint of another upload is not resumed. */
  inputKey: string;
  frames: number;
  chunks: string[];
  counts: VideoResume['counts'];
}
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
      const chunkDir = join(dir, 'chunks');
      await mkdir(chunkDir);
      const resume = task.mediaType === 'video' ? await this.resumeFrom(task, chunkDir) : undefined;
      const outcome = await this.runEngine(run, input, output, chunkDir, resume);
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
      if (task.mediaType === 'video') await this.storage.deletePrefix(checkpointPrefix(task.id)).catch(() => undefined);
      return done;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The chunks an earlier attempt checkpointed, downloaded into `chunkDir`; undefined when there are none. */
  private async resumeFrom(task: TaskEntity, chunkDir: string): Promise<VideoResume | undefined> {
    try {
      if (!(await this.storage.stat(checkpointManifestKey(task.id)))) return undefined;
      const manifest = JSON.parse(await text(await this.storage.get(checkpointManifestKey(task.id)))) as CheckpointManifest;
      if (manifest.inputKey !== task.inputKey || manifest.chunks.length === 0) return undefined;
      const chunks: string[] = [];
      for (const key of manifest.chunks) {
        const path = join(chunkDir, `resumed-${chunks.length}.mp4`);
        await pipeline(await this.storage.get(key), createWriteStream(path));
        chunks.push(path);
      }
      this.logger.log(`task ${task.id}: resuming at frame ${manifest.frames} after ${chunks.length} checkpointed chunk(s)`);
      return { frames: manifest.frames, chunks, counts: manifest.counts };
    } catch (error) {
      // A checkpoint that cannot be read is only lost time: start over.
      this.logger.warn(`task ${task.id}: checkpoint not used: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async runEngine(run: WorkRun<TaskEntity>, inputPath: string, outputPath: string, chunkDir: string, resume: VideoResume | undefined): Promise<AnonymisationOutcome> {
    const task = run.row;
    const channel = task.mediaType === 'video' ? new MessageChannel() : undefined;
    // Progress is written at most every 5 % (the engine reports no finer), which also heart-beats;
    // a resumed video keeps the percentage already shown until it is passed (run.progress).
    // Writes (progress and checkpoints) run one after another and settle before the result is
    // stored, so no progress event follows the `processed` one.
    let writes = Promise.resolve();
    const checkpointed = [...(resume ? resume.chunks.map((_, i) => checkpointChunkKey(task.id, i)) : [])];
    const saveChunk = async (chunk: VideoChunk) => {
      const key = checkpointChunkKey(task.id, chunk.index);
      await this.storage.put(key, createReadStream(chunk.path), { contentType: 'video/mp4' });
      checkpointed[chunk.index] = key;
      const manifest: CheckpointManifest = { inputKey: task.inputKey!, frames: chunk.endFrame, chunks: checkpointed.slice(0, chunk.index + 1), counts: chunk.counts };
      await this.storage.put(checkpointManifestKey(task.id), Buffer.from(JSON.stringify(manifest)), { contentType: 'application/json' });
    };
    channel?.port1.on('message', (message: { progress?: number; chunk?: VideoChunk }) => {
      writes = writes
        .then(async () => {
          if (message.chunk) await saveChunk(message.chunk);
          else await run.progress(message.progress!);
        })
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`task ${task.id}: ${message.chunk ? 'checkpoint' : 'progress'} not saved: ${error.message}`));
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
        chunks: task.mediaType === 'video' ? { dir: chunkDir, resume } : undefined,
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

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts).toString('utf8');
}
