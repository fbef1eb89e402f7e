import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext, MessageContext } from '../../core/messaging/message-context';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import { EcgAnalysisService } from './ecg-analysis.service';
import { ECG_ANALYSE, EcgAnalyseMessage } from './ecg.messages';
import { ECG_WORKLOAD } from './ecg.workload';
import type { EcgEntity } from './entities/ecg.entity';

/**
 * `ecg.analyse`: returning acks; a thrown EcgError (not retryable) dead-letters at once, anything
 * else (database down) is retried by the queue's policy and then dead-lettered.
 */
@Controller()
export class EcgConsumer {
  constructor(
    private readonly analysis: EcgAnalysisService,
    @InjectWorkload(ECG_WORKLOAD) private readonly workload: WorkloadLifecycle<EcgEntity, EcgAnalyseMessage>,
  ) {}

  @EventPattern(ECG_ANALYSE.name)
  async analyse(@Payload() message: EcgAnalyseMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.workload.run(message, context, (run) => this.analysis.analyse(run));
  }

  @EventPattern(ECG_ANALYSE.deadLetters)
  async analysisGaveUp(@Payload() message: EcgAnalyseMessage | undefined, @Ctx() context: DeadLetterContext): Promise<void> {
    await this.workload.deadLettered(message, context);
  }
}
