import { IsUUID } from 'class-validator';
import { defineQueue } from '../../core/messaging/queue-definition';

/**
 * `ecg.analyse`: analyse one stored ECG. Only the surrogate key travels: the worker reads the
 * signals from the database, so a message stays tiny and a redelivery sees the row's current status.
 */
export class EcgAnalyseMessage {
  @IsUUID()
  ecg_pk: string;
}

export const ECG_ANALYSE = defineQueue({
  name: 'ecg.analyse',
  message: EcgAnalyseMessage,
  retry: { maxAttempts: 5, backoffMs: 1000, maxBackoffMs: 30000 },
});
