import { Injectable } from '@nestjs/common';
import { DeadLetterHandler, MessageContext, MessageHandler } from '../../core/messaging/message-handler.decorator';
import { publicReason } from '../../core/errors/public-reason';
import { QUEUES } from '../../core/messaging/queue-registry';
import { JobsIngestService } from './jobs-ingest.service';
import { JobIngestMessage } from './jobs.messages';

/**
 * `jobs.ingest`: returning acks; a JobsError (missing file, not text) dead-letters at once and
 * fails the job; anything else (database or storage down) is retried, then dead-lettered.
 */
@Injectable()
export class JobsConsumer {
  constructor(private readonly ingest: JobsIngestService) {}

  @MessageHandler(QUEUES.jobsIngest)
  async ingestJob(message: JobIngestMessage, context: MessageContext): Promise<void> {
    await this.ingest.ingestJob(message.job_id, context.signal);
  }

  @DeadLetterHandler(QUEUES.jobsIngest)
  async ingestGaveUp(message: JobIngestMessage | undefined, error: Error, context: MessageContext): Promise<void> {
    if (!message) return; // an unreadable message names no job; the messaging layer logged it
    // The job's `error` is shown to its owner: never a driver's text or a server path.
    const reason = error.name === 'JobsError' ? error.message : `Processing failed ${context.attempt} times: ${publicReason(error)}.`;
    await this.ingest.failJob(message.job_id, reason);
  }
}
