import { Injectable, Logger } from '@nestjs/common';
import { StatusEventPublisher, StatusSnapshot, StatusUpdate } from '../../core/realtime/status-event';
import type { TranscriptionEntity } from './entities/transcription.entity';

type EventSource = Pick<TranscriptionEntity, 'id' | 'ownerId' | 'status' | 'progress' | 'error'>;

function toTranscriptionUpdate(t: EventSource, stage?: string): StatusUpdate {
  return {
    resource: 'transcription',
    id: t.id,
    owner: t.ownerId,
    status: t.status,
    progress: t.progress,
    ...(stage ? { stage } : {}),
    ...(t.error ? { error: t.error } : {}),
  };
}

/** What a realtime subscriber starts from: the same shape as the events that follow. */
export function toTranscriptionStatus(t: TranscriptionEntity): StatusSnapshot {
  const { owner: _owner, ...update } = toTranscriptionUpdate(t);
  return { type: 'status', ...update, at: t.updatedAt.toISOString() };
}

/** Transcription status changes as DESIGN §5 events. */
@Injectable()
export class TranscriptionEvents {
  private readonly logger = new Logger('TranscriptionEvents');

  constructor(private readonly events: StatusEventPublisher) {}

  /**
   * Never throws: the state is committed and readable with GET, and an event lost to a broker
   * hiccup must not turn finished work into a retry.
   */
  async emit(t: EventSource, stage?: string): Promise<void> {
    try {
      await this.events.publish(toTranscriptionUpdate(t, stage));
    } catch (cause) {
      this.logger.warn(`could not publish the "${t.status}" event of transcription ${t.id}: ${(cause as Error).message}`);
    }
  }
}
