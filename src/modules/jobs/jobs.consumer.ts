import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext, MessageContext } from '../../core/messaging/message-context';
import { JobsIngestService } from './jobs-ingest.service';
import { JobIngestMessage, JOBS_INGEST } from './jobs.messages';

/**
 * `jobs.ingest`: returning acks; a JobsError (missing file, not text) dead-letters at once and
 * fails the job; anything else (database or storage down) is retried, then dead-lettered.
 */
@Controller()
export class JobsConsumer {
  constructor(private readonly ingest: JobsIngestService) {}

  @EventPattern(JOBS_INGEST.name)
  async ingestJob(@Payload() message: JobIngestMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.ingest.ingestJob(message.job_id, context.signal);
  }

  @EventPattern(JOBS_INGEST.deadLetters)
  async ingestGaveUp(@Payload() message: JobIngestMessage | undefined, @Ctx() { error, attempt }: DeadLetterContext): Promise<void> {
    if (!message) return; // an unreadable message names no job; the messaging layer logged it
    const reason = error.name === 'JobsError' ? error.message : `Processing failed ${attempt} times: ${error.message}`.slice(0, 500);
    await this.ingest.failJob(message.job_id, reason);
  }
}
