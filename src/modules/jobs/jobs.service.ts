import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { IncomingFile } from '../../core/http/multipart-upload';
import { decodeCursor, Page, toPage } from '../../core/http/pagination';
import { parseInstant } from '../../core/time/iso-instant';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { objectKey } from '../../core/storage/object-keys';
import { ObjectStorage } from '../../core/storage/object-storage';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import {
  EntryQueryDto,
  LogEntryDto,
  RejectionDto,
  toLogEntry,
  toRejection,
} from './dto/job.dto';
import { JobEntity } from './entities/job.entity';
import type { LogLevel } from './ingest/log-entry';
import { TextSniffer } from './ingest/text-sniffer';
import { JobsError } from './jobs.errors';
import { JobsRepository } from './jobs.repository';
import { JOBS_INGEST } from './jobs.messages';
import { JOBS_WORKLOAD } from './jobs.workload';

const LEVEL_ALIASES: Record<string, LogLevel> = { WARN: 'WARNING', FATAL: 'CRITICAL' };

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly storage: ObjectStorage,
    private readonly publisher: MessagePublisher,
    @InjectWorkload(JOBS_WORKLOAD) private readonly workload: WorkloadLifecycle<JobEntity>,
  ) {}

  /**
   * Streams an upload into object storage (never whole in memory), and only once it is stored
   * creates the job and queues it. A failed upload leaves neither object nor row.
   */
  async upload(ownerId: string, file: IncomingFile, requestId?: string): Promise<JobEntity> {
    if (!/\.jsonl$/i.test(file.fileName)) throw JobsError.notJsonl(file.fileName);
    const id = randomUUID();
    const key = objectKey('jobs', id, 'source.jsonl');
    const sniffer = new TextSniffer(() => JobsError.notText());
    file.stream.on('error', (error) => sniffer.destroy(error));
    const { size } = await this.storage.put(key, file.stream.pipe(sniffer), { contentType: 'application/jsonl' });
    if (size === 0) {
      await this.storage.delete(key);
      throw JobsError.emptyFile();
    }
    let job: JobEntity;
    try {
      job = await this.jobs.insertQueued({ id, ownerId, fileName: file.fileName.slice(0, 255), objectKey: key, sizeBytes: size });
    } catch (error) {
      await this.storage.delete(key).catch(() => undefined);
      throw error;
    }
    try {
      await this.publisher.publish(JOBS_INGEST, { job_id: job.id }, { requestId });
    } catch (error) {
      // The job is stored and queued; the sweeper publishes it again shortly.
      this.logger.warn(`job ${job.id} stored but not published (${(error as Error).message}); the sweeper will retry`);
    }
    await this.workload.emit(job);
    return job;
  }

  async getJob(ownerId: string, id: string): Promise<JobEntity> {
    const job = await this.findOwned(ownerId, id);
    if (!job) throw JobsError.notFound(id);
    return job;
  }

  /** The job, or null for an unknown or foreign id (GraphQL and realtime answer null, not an error). */
  findOwned(ownerId: string, id: string): Promise<JobEntity | null> {
    return this.workload.findOwned(ownerId, id);
  }

  async listJobs(ownerId: string, limit: number, cursor?: string): Promise<Page<JobEntity>> {
    const after = decodeCursor<{ created_at: string; id: string }>(cursor, { created_at: 'instant', id: 'uuid' });
    const rows = await this.jobs.listOwned(ownerId, limit + 1, after);
    return toPage(rows, limit, (j) => j, (j) => ({ created_at: j.createdAt.toISOString(), id: j.id }));
  }

  async listEntries(ownerId: string, id: string, query: EntryQueryDto): Promise<Page<LogEntryDto>> {
    if ((await this.getJob(ownerId, id)).expiredAt) throw JobsError.expired(id);
    const after = decodeCursor<{ line: number }>(query.cursor, { line: 'int' });
    const level = query.level;
    const rows = await this.jobs.listEntries(
      id,
      {
        level: level ? (LEVEL_ALIASES[level] ?? (level as LogLevel)) : undefined,
        service: query.service,
        q: query.q,
        from: query.from === undefined ? undefined : (parseInstant(query.from, { dateOnly: true }) as Date),
        to: query.to === undefined ? undefined : (parseInstant(query.to, { dateOnly: true }) as Date),
      },
      query.limit + 1,
      after?.line,
    );
    return toPage(rows, query.limit, toLogEntry, (e) => ({ line: e.lineNo }));
  }

  async listRejections(ownerId: string, id: string, limit: number, cursor?: string): Promise<Page<RejectionDto>> {
    if ((await this.getJob(ownerId, id)).expiredAt) throw JobsError.expired(id);
    const after = decodeCursor<{ line: number }>(cursor, { line: 'int' });
    const rows = await this.jobs.listRejections(id, limit + 1, after?.line);
    return toPage(rows, limit, toRejection, (r) => ({ line: r.lineNo }));
  }

  /** Removes the job, its entries and rejections, then its file; refused while a worker is on it. */
  async deleteJob(ownerId: string, id: string): Promise<void> {
    if (!JOBS_WORKLOAD.isValidId(id)) throw JobsError.notFound(id);
    const deleted = await this.jobs.deleteUnlessProcessing(ownerId, id);
    if (deleted === null) throw JobsError.notFound(id);
    if (deleted === 'processing') throw JobsError.processing(id);
    // The row is gone first, so a crash here leaves an orphan object, never a job without its file.
    await this.storage.delete(deleted.objectKey).catch((error: Error) =>
      this.logger.warn(`job ${id} deleted but its file ${deleted.objectKey} was not: ${error.message}`),
    );
  }
}
