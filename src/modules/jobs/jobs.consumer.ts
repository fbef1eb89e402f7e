import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext, MessageContext } from '../../core/messaging/message-context';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import { InjectWorkload } from '../../core/workload/workload';
import type { JobEntity } from './entities/job.entity';
import { JobsIngestService } from './jobs-ingest.service';
import { JobIngestMessage, JOBS_INGEST } from './jobs.messages';
import { JOBS_WORKLOAD } from './jobs.workload';

/**
 * `jobs.ingest`: returning acks; a JobsError (missing file, not text) dead-letters at once and
 * fails the job; anything else (database or storage down) is retried, then dead-lettered.
 */
@Controller()
export class JobsConsumer {
  constructor(
    private readonly ingest: JobsIngestService,
    @InjectWorkload(JOBS_WORKLOAD) private readonly workload: WorkloadLifecycle<JobEntity, JobIngestMessage>,
  ) {}

  @EventPattern(JOBS_INGEST.name)
  async ingestJob(@Payload() message: JobIngestMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.workload.run(message, context, (run) => this.ingest.ingestJob(run));
  }

  @EventPattern(JOBS_INGEST.deadLetters)
  async ingestGaveUp(@Payload() message: JobIngestMessage | undefined, @Ctx() context: DeadLetterContext): Promise<void> {
    await this.workload.deadLettered(message, context);
  }
}
