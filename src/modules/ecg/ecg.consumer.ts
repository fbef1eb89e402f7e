import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext } from '../../core/messaging/message-context';
import { EcgAnalysisService } from './ecg-analysis.service';
import { ECG_ANALYSE, EcgAnalyseMessage } from './ecg.messages';

/**
 * `ecg.analyse`: returning acks; a thrown EcgError (not retryable) dead-letters at once, anything
 * else (database down) is retried by the queue's policy and then dead-lettered.
 */
@Controller()
export class EcgConsumer {
  constructor(private readonly analysis: EcgAnalysisService) {}

  @EventPattern(ECG_ANALYSE.name)
  async analyse(@Payload() message: EcgAnalyseMessage): Promise<void> {
    await this.analysis.analyse(message.ecg_pk);
  }

  @EventPattern(ECG_ANALYSE.deadLetters)
  async analysisGaveUp(@Payload() message: EcgAnalyseMessage | undefined, @Ctx() { error, attempt }: DeadLetterContext): Promise<void> {
    // An unreadable message names no ECG; the messaging layer has logged it.
    if (message) await this.analysis.failAnalysis(message.ecg_pk, error, attempt);
  }
}
