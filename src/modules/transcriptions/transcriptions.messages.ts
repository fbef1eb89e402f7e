import { IsUUID } from 'class-validator';
import { defineQueue } from '../../core/messaging/queue-definition';

/** `transcriptions.transcribe`: the transcription to run; everything else is read from its row. */
export class TranscriptionTranscribeMessage {
  @IsUUID()
  transcription_id: string;
}

// Engine crashes and timeouts get two more tries; a missing engine and bad audio fail at once
// (non-retryable errors), so the budget only covers transient trouble.
export const TRANSCRIPTIONS_TRANSCRIBE = defineQueue({
  name: 'transcriptions.transcribe',
  message: TranscriptionTranscribeMessage,
  retry: { maxAttempts: 3, backoffMs: 2000, maxBackoffMs: 30000 },
});
