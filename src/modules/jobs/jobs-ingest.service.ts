import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle, WorkRun } from '../../core/workload/workload-lifecycle';
import { abortableDelay } from '../../core/scheduling/abortable-delay';
import { ObjectStorage } from '../../core/storage/object-storage';
import { JobEntity } from './entities/job.entity';
import { splitLines } from './ingest/line-splitter';
import { isBlankLine, parseLogLine } from './ingest/log-line.validator';
import { looksLikeUtf8Text, SNIFF_BYTES } from './ingest/text-sniffer';
import { JobsError } from './jobs.errors';
import { JobsRepository } from './jobs.repository';
import { IngestBatch, LogIngestRepository } from './log-ingest.repository';
import { toCopyRow } from './ingest/copy-row';
import { CopyRows } from './ingest/copy-rows';
import { JOBS_WORKLOAD } from './jobs.workload';
import type { LogEntry } from './ingest/log-entry';

export interface IngestLimits {
  /** Lines per transaction: large enough for COPY to shine, small enough to checkpoint often. */
  batchLines: number;
  /** A batch also closes after this long, so slow files still checkpoint and heartbeat. */
  batchMs: number;
  /** Longer lines are rejected without being held in memory. */
  maxLineBytes: number;
  /** Reasons kept per job; every rejection is still counted. */
  maxStoredRejections: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  batchLines: 20_000,
  batchMs: 1_000,
  maxLineBytes: 1024 * 1024,
  maxStoredRejections: 10_000,
};

/**
 * The validator bounds what reaches the row builder; should a value still defeat it (a stack
 * overflow, an encoding error), that line is rejected with our reason and the file goes on.
 */
function copyRowOf(jobId: string, lineNo: number, entry: LogEntry): string | { reason: string } {
  try {
    return toCopyRow(jobId, lineNo, entry);
  } catch {
    return { reason: 'the line could not be encoded for storage' };
  }
}

/** The worker stopped mid-file (shutdown); the checkpoint is committed and the message retried. */
export class IngestInterrupted extends Error {
  constructor(jobId: string, line: number) {
    super(`ingest of job ${jobId} interrupted at line ${line} by shutdown; it resumes from there`);
    this.name = 'IngestInterrupted';
  }
}

/**
 * Streams a job's file from storage, validates each line and bulk-loads the valid ones. Each
 * batch commits entries, rejections and the checkpoint together, so a redelivered message
 * resumes after the last committed line and never writes a line twice.
 */
@Injectable()
export class JobsIngestService {
  private readonly logger = new Logger(JobsIngestService.name);
  private readonly limits: IngestLimits = DEFAULT_INGEST_LIMITS;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsRepository,
    private readonly ingest: LogIngestRepository,
    private readonly storage: ObjectStorage,
    @InjectWorkload(JOBS_WORKLOAD) private readonly workload: WorkloadLifecycle<JobEntity>,
  ) {}

  /** One delivery's work (the lifecycle started the job); answers the completed job, or null when another worker or a deletion took it. */
  async ingestJob({ row: job, signal }: WorkRun<JobEntity>): Promise<JobEntity | null> {
    const stat = await this.storage.stat(job.objectKey);
    if (!stat) throw JobsError.unprocessable('The uploaded file is missing from storage.');
    if (job.bytesRead === 0 && !(await this.startsAsText(job))) {
      throw JobsError.unprocessable('The file is not UTF-8 text (it has NUL bytes or invalid UTF-8).');
    }
    return this.readFrom(job, stat.size, signal);
  }

  private async startsAsText(job: JobEntity): Promise<boolean> {
    const head = await this.storage.get(job.objectKey, { start: 0, end: SNIFF_BYTES - 1 });
    const chunks: Buffer[] = [];
    for await (const chunk of head) chunks.push(chunk as Buffer);
    return looksLikeUtf8Text(Buffer.concat(chunks));
  }

  private async readFrom(job: JobEntity, size: number, signal: AbortSignal): Promise<JobEntity | null> {
    const { batchLines, batchMs, maxLineBytes, maxStoredRejections } = this.limits;
    const delayMax = this.config.ingestLineDelayMsMax;
    // Resume where the last committed batch ended, by byte offset, numbering lines from there.
    const startLine = job.linesRead;
    const startByte = job.bytesRead;
    const source = await this.storage.get(job.objectKey, { start: startByte });
    let checkpoint = startLine;
    let storedRejections = Math.min(job.linesRejected, maxStoredRejections);
    let milestone = Math.floor(job.progress / 10);
    let batch = this.emptyBatch(job.linesRead, job.bytesRead);
    let batchStarted = Date.now();
    // The previous batch commits while this one is parsed: PostgreSQL and the parser overlap.
    let committing: Promise<boolean> = Promise.resolve(true);

    const flush = async (): Promise<boolean> => {
      const done = Object.assign(batch, { stepReached: Math.floor(batch.progress / 10) > milestone });
      milestone = Math.max(milestone, Math.floor(batch.progress / 10));
      const expected = checkpoint;
      checkpoint = done.linesRead;
      if (!(await committing)) return false;
      committing = this.ingest.commit(job.id, expected, done).then(async (result) => {
        if (result === 'lost-ownership') {
          this.logger.warn(`job ${job.id}: another worker moved its checkpoint; leaving it to that worker`);
          return false;
        }
        job.linesRead = done.linesRead;
        job.progress = done.progress;
        job.entriesIngested += done.rows.length;
        job.linesRejected += done.rejectedCount;
        if (done.stepReached) await this.workload.emit(job);
        return true;
      });
      batch = this.emptyBatch(done.linesRead, done.bytesRead);
      batchStarted = Date.now();
      return true;
    };

    try {
      for await (const line of splitLines(source, { maxLineBytes })) {
        if (delayMax > 0) await abortableDelay(Math.random() * delayMax, signal);
        const number = startLine + line.lineNo;
        if ('tooLong' in line) {
          this.reject(batch, number, `line is longer than ${maxLineBytes} bytes`, storedRejections++ < maxStoredRejections);
        } else if (!isBlankLine(line.text)) {
          const parsed = parseLogLine(line.text);
          const row = parsed.ok ? copyRowOf(job.id, number, parsed.entry) : parsed;
          if (typeof row === 'string') batch.rows.push(number, row);
          else this.reject(batch, number, row.reason, storedRejections++ < maxStoredRejections);
        }
        batch.linesRead = number;
        batch.bytesRead = startByte + line.bytesEnd;
        batch.progress = size > 0 ? Math.min(99, Math.floor((batch.bytesRead / size) * 100)) : 99;
        // A batch also ends at each 10 % step, so every step gets its own progress event.
        const step = Math.floor(batch.progress / 10) > milestone;
        const full = step || batch.linesRead - checkpoint >= batchLines || Date.now() - batchStarted >= batchMs;
        if ((full || signal.aborted) && !(await flush())) return null;
        if (signal.aborted) {
          await committing;
          throw new IngestInterrupted(job.id, batch.linesRead);
        }
      }
      if (batch.linesRead > checkpoint && !(await flush())) return null;
      if (!(await committing)) return null;
    } finally {
      source.destroy();
      await committing.catch(() => undefined);
    }

    const completed = await this.jobs.complete(job.id);
    if (completed) this.logger.log(`job ${job.id}: ${completed.entriesIngested} entries, ${completed.linesRejected} rejected lines`);
    return completed;
  }

  private emptyBatch(linesRead: number, bytesRead: number): IngestBatch {
    return { rows: new CopyRows(), rejections: [], rejectedCount: 0, linesRead, bytesRead, progress: 0 };
  }

  private reject(batch: IngestBatch, lineNo: number, reason: string, keep: boolean): void {
    batch.rejectedCount++;
    if (keep) batch.rejections.push({ lineNo, reason });
  }
}
