import { Injectable } from '@nestjs/common';
import { DeadLetterHandler, MessageContext, MessageHandler } from '../../core/messaging/message-handler.decorator';
import { QUEUES } from '../../core/messaging/queue-registry';
import { TranscriptionsProcessingService } from './transcriptions-processing.service';
import { TranscriptionTranscribeMessage } from './transcriptions.messages';

/**
 * `transcriptions.transcribe`: returning acks; a TranscriptionsError (no engine, undecodable or
 * over-long audio) dead-letters at once and fails the row with its reason; anything else (engine
 * crash or timeout, storage or database down) is retried, then dead-lettered. A shutdown kills
 * the engine and requeues the message.
 */
@Injectable()
export class TranscriptionsConsumer {
  constructor(private readonly processing: TranscriptionsProcessingService) {}

  @MessageHandler(QUEUES.transcriptionsTranscribe)
  async transcribe(message: TranscriptionTranscribeMessage, context: MessageContext): Promise<void> {
    await this.processing.transcribe(message.transcription_id, context.signal);
  }

  @DeadLetterHandler(QUEUES.transcriptionsTranscribe)
  async transcriptionGaveUp(message: TranscriptionTranscribeMessage | undefined, error: Error, context: MessageContext): Promise<void> {
    if (!message) return; // an unreadable message names no transcription; the messaging layer logged it
    const reason =
      error.name === 'TranscriptionsError' ? error.message : `Transcription failed ${context.attempt} times: ${error.message}`.slice(0, 1000);
    await this.processing.fail(message.transcription_id, reason);
  }
}
