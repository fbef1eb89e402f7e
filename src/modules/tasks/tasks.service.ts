import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import type { IncomingFile } from '../../core/http/multipart-upload';
import { decodeCursor, Page, toPage } from '../../core/http/pagination';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { TASKS_ANONYMISE } from './tasks.messages';
import { ObjectNotFoundError, ObjectStorage } from '../../core/storage/object-storage';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import { DEFAULT_METHOD, DEFAULT_QUALITY, TaskCreateDto } from './dto/task.dto';
import type { TaskEntity, TaskStatus } from './entities/task.entity';
import { MediaSniffer, SniffError } from './media/content-sniffer';
import { newInputKey, resultFileName, taskPrefix } from './task-files';
import { TasksError } from './tasks.errors';
import { TasksRepository } from './tasks.repository';
import { TASKS_WORKLOAD } from './tasks.workload';

export type TaskResult =
  | { kind: 'redirect'; url: string }
  | { kind: 'stream'; stream: Readable; contentType: string; fileName: string; size: number | null };

/** Creating, uploading, reading and deleting tasks (the API side); TasksProcessor is the worker side. */
@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly tasks: TasksRepository,
    private readonly storage: ObjectStorage,
    private readonly publisher: MessagePublisher,
    @InjectWorkload(TASKS_WORKLOAD) private readonly workload: WorkloadLifecycle<TaskEntity>,
  ) {}

  async create(ownerId: string, input: TaskCreateDto): Promise<TaskEntity> {
    const duplicates = input.objects.filter((o, i) => input.objects.indexOf(o) !== i);
    if (duplicates.length > 0) throw TasksError.duplicateObjects([...new Set(duplicates)]);
    const task = await this.tasks.insertNew({
      id: randomUUID(),
      ownerId,
      fileName: input.file_name,
      mediaType: input.media_type,
      objects: input.objects,
      method: input.method ?? DEFAULT_METHOD,
      quality: input.quality ?? DEFAULT_QUALITY,
    });
    await this.workload.emit(task);
    return task;
  }

  /**
   * Streams the file into storage (never whole in memory) through a sniffer that refuses
   * anything but the task's media type, then moves the task `new` → `queued`. Each upload
   * writes its own object, so of two concurrent uploads the loser removes only its own bytes.
   */
  async upload(ownerId: string, id: string, file: IncomingFile, requestId?: string): Promise<TaskEntity> {
    const task = await this.getTask(ownerId, id);
    if (task.status !== 'new') throw TasksError.alreadyUploaded(id, task.status);
    const key = newInputKey(id);
    const sniffer = new MediaSniffer({ expected: task.mediaType, maxPixels: this.config.tasks.maxPixels });
    file.stream.on('error', (error) => sniffer.destroy(error));
    let size: number;
    try {
      ({ size } = await this.storage.put(key, file.stream.pipe(sniffer), { contentType: 'application/octet-stream' }));
    } catch (error) {
      await this.storage.delete(key).catch(() => undefined);
      throw toUploadError(error);
    }
    if (size === 0 || !sniffer.sniffed) {
      await this.storage.delete(key).catch(() => undefined);
      throw TasksError.emptyFile();
    }
    const queued = await this.tasks
      .markQueued(ownerId, id, {
        inputKey: key,
        inputContentType: sniffer.sniffed.contentType,
        sizeBytes: size,
        width: sniffer.dimensions?.width ?? null,
        height: sniffer.dimensions?.height ?? null,
      })
      .catch(async (error: unknown) => {
        await this.storage.delete(key).catch(() => undefined);
        throw error;
      });
    if (!queued) {
      await this.storage.delete(key).catch(() => undefined);
      const now = await this.tasks.findOwned(ownerId, id);
      throw now ? TasksError.alreadyUploaded(id, now.status) : TasksError.notFound(id);
    }
    try {
      await this.publisher.publish(TASKS_ANONYMISE, { task_id: id }, { requestId });
    } catch (error) {
      // Stored and queued; the sweeper publishes it again shortly.
      this.logger.warn(`task ${id} stored but not published (${(error as Error).message}); the sweeper will retry`);
    }
    await this.workload.emit(queued);
    return queued;
  }

  async getTask(ownerId: string, id: string): Promise<TaskEntity> {
    const task = await this.workload.findOwned(ownerId, id);
    if (!task) throw TasksError.notFound(id);
    return task;
  }

  async listTasks(ownerId: string, limit: number, cursor?: string, status?: TaskStatus): Promise<Page<TaskEntity>> {
    const after = decodeCursor<{ created_at: string; id: string }>(cursor, { created_at: 'instant', id: 'uuid' });
    const rows = await this.tasks.listOwned(ownerId, limit + 1, status, after);
    return toPage(rows, limit, (t) => t, (t) => ({ created_at: t.createdAt.toISOString(), id: t.id }));
  }

  /** A presigned URL where the storage serves one (S3), otherwise the stream itself. */
  async getResult(ownerId: string, id: string): Promise<TaskResult> {
    const task = await this.getTask(ownerId, id);
    if (task.expiredAt) throw TasksError.resultExpired(id);
    if (task.status !== 'processed' || !task.resultKey) throw TasksError.notProcessed(id, task.status);
    const url = await this.storage.presignedGetUrl(task.resultKey, 300);
    if (url) return { kind: 'redirect', url };
    return {
      kind: 'stream',
      stream: await this.storage.get(task.resultKey).catch((error: unknown) => {
        throw error instanceof ObjectNotFoundError ? TasksError.resultMissing(id) : error;
      }),
      contentType: task.resultContentType ?? 'application/octet-stream',
      fileName: resultFileName(task),
      size: task.resultSizeBytes,
    };
  }

  /** Removes the binaries and marks the task deleted; its processing info stays readable. */
  async deleteTask(ownerId: string, id: string): Promise<void> {
    if (!TASKS_WORKLOAD.isValidId(id)) throw TasksError.notFound(id);
    const deleted = await this.tasks.markDeleted(ownerId, id);
    if (!deleted) throw TasksError.notFound(id);
    // Keys are forgotten first, so a crash here leaves an orphan object, never a task pointing at nothing.
    await this.storage.deletePrefix(taskPrefix(id)).catch((error: Error) =>
      this.logger.warn(`task ${id} deleted but its files were not: ${error.message}`),
    );
    await this.workload.emit(deleted.task);
  }
}

function toUploadError(error: unknown): unknown {
  if (error instanceof SniffError) {
    return error.reason === 'too_many_pixels' ? TasksError.tooManyPixels(error.message) : TasksError.unsupportedMedia(error.message);
  }
  return error;
}
