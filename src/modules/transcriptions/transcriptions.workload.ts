import { defineWorkload } from '../../core/workload/workload';
import type { TranscriptionEntity } from './entities/transcription.entity';
import { TRANSCRIPTIONS_TRANSCRIBE, TranscriptionTranscribeMessage } from './transcriptions.messages';
import { TranscriptionsRepository } from './transcriptions.repository';

/** Speech-to-text as a workload: `transcription` events and snapshots, the sweeper and the attempts budget. */
export const TRANSCRIPTIONS_WORKLOAD = defineWorkload<TranscriptionEntity, TranscriptionTranscribeMessage>({
  resource: 'transcription',
  queue: TRANSCRIPTIONS_TRANSCRIBE,
  store: TranscriptionsRepository,
  keyOf: (message) => message.transcription_id,
  messageFor: (row) => ({ transcription_id: row.id }),
  toStatus: (row) => ({ status: row.status, progress: row.progress, ...(row.error ? { error: row.error } : {}) }),
  startStage: 'started',
  // Starts without finishing (an engine that crashes its worker on one file).
  attempts: 5,
  sweep: {
    intervalMs: 15_000,
    // A live worker heart-beats every 10 s while the engine runs (TranscriptionsProcessingService).
    staleAfterMs: 60_000,
    batchSize: 100,
  },
});
