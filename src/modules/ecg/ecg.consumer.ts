import { Injectable } from '@nestjs/common';
import { DeadLetterHandler, MessageContext, MessageHandler } from '../../core/messaging/message-handler.decorator';
import { QUEUES } from '../../core/messaging/queue-registry';
import { EcgAnalysisService } from './ecg-analysis.service';
import { EcgAnalyseMessage } from './ecg.messages';

/**
 * `ecg.analyse`: returning acks; a thrown EcgError (not retryable) dead-letters at once, anything
 * else (database down) is retried by the queue's policy and then dead-lettered.
 */
@Injectable()
export class EcgConsumer {
  constructor(private readonly analysis: EcgAnalysisService) {}

  @MessageHandler(QUEUES.ecgAnalyse)
  async analyse(message: EcgAnalyseMessage): Promise<void> {
    await this.analysis.analyse(message.ecg_pk);
  }

  @DeadLetterHandler(QUEUES.ecgAnalyse)
  async analysisGaveUp(message: EcgAnalyseMessage | undefined, error: Error, context: MessageContext): Promise<void> {
    // An unreadable message names no ECG; the messaging layer has logged it.
    if (message) await this.analysis.failAnalysis(message.ecg_pk, error, context.attempt);
  }
}
