import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext, MessageContext } from '../../core/messaging/message-context';
import { TranscriptionsProcessingService } from './transcriptions-processing.service';
import { TRANSCRIPTIONS_TRANSCRIBE, TranscriptionTranscribeMessage } from './transcriptions.messages';

/**
 * `transcriptions.transcribe`: returning acks; a TranscriptionsError (no engine, undecodable or
 * over-long audio) dead-letters at once and fails the row with its reason; anything else (engine
 * crash or timeout, storage or database down) is retried, then dead-lettered. A shutdown kills
 * the engine and requeues the message.
 */
@Controller()
export class TranscriptionsConsumer {
  constructor(private readonly processing: TranscriptionsProcessingService) {}

  @EventPattern(TRANSCRIPTIONS_TRANSCRIBE.name)
  async transcribe(@Payload() message: TranscriptionTranscribeMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.processing.transcribe(message.transcription_id, context.signal);
  }

  @EventPattern(TRANSCRIPTIONS_TRANSCRIBE.deadLetters)
  async transcriptionGaveUp(@Payload() message: TranscriptionTranscribeMessage | undefined, @Ctx() { error, attempt }: DeadLetterContext): Promise<void> {
    if (!message) return; // an unreadable message names no transcription; the messaging layer logged it
    const reason = error.name === 'TranscriptionsError' ? error.message : `Transcription failed ${attempt} times: ${error.message}`.slice(0, 1000);
    await this.processing.fail(message.transcription_id, reason);
  }
}
