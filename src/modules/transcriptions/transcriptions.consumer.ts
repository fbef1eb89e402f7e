import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext, MessageContext } from '../../core/messaging/message-context';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import type { TranscriptionEntity } from './entities/transcription.entity';
import { TranscriptionsProcessingService } from './transcriptions-processing.service';
import { TRANSCRIPTIONS_TRANSCRIBE, TranscriptionTranscribeMessage } from './transcriptions.messages';
import { TRANSCRIPTIONS_WORKLOAD } from './transcriptions.workload';

/**
 * `transcriptions.transcribe`: returning acks; a TranscriptionsError (no engine, undecodable or
 * over-long audio) dead-letters at once and fails the row with its reason; anything else (engine
 * crash or timeout, storage or database down) is retried, then dead-lettered. A shutdown kills
 * the engine and requeues the message.
 */
@Controller()
export class TranscriptionsConsumer {
  constructor(
    private readonly processing: TranscriptionsProcessingService,
    @InjectWorkload(TRANSCRIPTIONS_WORKLOAD) private readonly workload: WorkloadLifecycle<TranscriptionEntity, TranscriptionTranscribeMessage>,
  ) {}

  @EventPattern(TRANSCRIPTIONS_TRANSCRIBE.name)
  async transcribe(@Payload() message: TranscriptionTranscribeMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.workload.run(message, context, (run) => this.processing.transcribe(run));
  }

  /** The row's `error` is shown to its owner: the kit's policy stores only public text, never the engine's or a driver's. */
  @EventPattern(TRANSCRIPTIONS_TRANSCRIBE.deadLetters)
  async transcriptionGaveUp(@Payload() message: TranscriptionTranscribeMessage | undefined, @Ctx() context: DeadLetterContext): Promise<void> {
    await this.workload.deadLettered(message, context);
  }
}
