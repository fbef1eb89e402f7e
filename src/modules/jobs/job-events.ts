import { Injectable, Logger } from '@nestjs/common';
import { StatusEventPublisher, StatusSnapshot, StatusUpdate } from '../../core/realtime/status-event';
import type { JobEntity } from './entities/job.entity';

function toJobUpdate(job: JobEntity, stage?: string): StatusUpdate {
  return {
    resource: 'job',
    id: job.id,
    owner: job.ownerId,
    status: job.status,
    progress: job.progress,
    ...(stage ? { stage } : {}),
    counts: { lines_read: job.linesRead, entries_ingested: job.entriesIngested, lines_rejected: job.linesRejected },
    ...(job.error ? { error: job.error } : {}),
  };
}

/** What a realtime subscriber starts from: the same shape as the events that follow. */
export function toJobStatus(job: JobEntity): StatusSnapshot {
  const { owner: _owner, ...update } = toJobUpdate(job);
  return { type: 'status', ...update, at: job.updatedAt.toISOString() };
}

/** Job status changes as DESIGN §5 events. */
@Injectable()
export class JobEvents {
  private readonly logger = new Logger('JobEvents');

  constructor(private readonly events: StatusEventPublisher) {}

  /**
   * Never throws: the state is committed and readable with GET, and an event lost to a broker
   * hiccup must not turn finished work into a retry.
   */
  async emit(job: JobEntity, stage?: string): Promise<void> {
    try {
      await this.events.publish(toJobUpdate(job, stage));
    } catch (cause) {
      this.logger.warn(`could not publish the "${job.status}" event of job ${job.id}: ${(cause as Error).message}`);
    }
  }
}
