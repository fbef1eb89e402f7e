import { Inject, Injectable, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { StaleWorkSweeper } from '../../core/scheduling/stale-work-sweeper';
import type { TranscriptionEntity } from './entities/transcription.entity';
import { TRANSCRIPTIONS_TRANSCRIBE, TranscriptionTranscribeMessage } from './transcriptions.messages';
import { TranscriptionsRepository } from './transcriptions.repository';

export interface TranscriptionsSweeperOptions {
  intervalMs: number;
  /** A queued row this old lost its message; a processing one whose heartbeat is this old lost its worker. */
  staleAfterMs: number;
  batchSize: number;
}

export const TRANSCRIPTIONS_SWEEPER_OPTIONS = Symbol('TRANSCRIPTIONS_SWEEPER_OPTIONS');

export const DEFAULT_TRANSCRIPTIONS_SWEEPER_OPTIONS: TranscriptionsSweeperOptions = {
  intervalMs: 15_000,
  // A live worker heart-beats every 10 s while the engine runs (TranscriptionsProcessingService).
  staleAfterMs: 60_000,
  batchSize: 100,
};

/**
 * Re-publishes transcriptions whose message was lost (the publish failed after the row was
 * written, or the in-process queue died with its process) and those whose worker stopped
 * heart-beating. Claims are atomic (FOR UPDATE SKIP LOCKED); a duplicate delivery only redoes
 * the same work, and crash loops end at the processing service's attempt budget, so there is no
 * `failExhausted` here.
 */
@Injectable()
export class TranscriptionsSweeper extends StaleWorkSweeper<TranscriptionEntity, TranscriptionTranscribeMessage> {
  private readonly options: TranscriptionsSweeperOptions;

  constructor(
    private readonly transcriptions: TranscriptionsRepository,
    publisher: MessagePublisher,
    @Optional() @Inject(TRANSCRIPTIONS_SWEEPER_OPTIONS) options: Partial<TranscriptionsSweeperOptions> = {},
  ) {
    const resolved = { ...DEFAULT_TRANSCRIPTIONS_SWEEPER_OPTIONS, ...options };
    super(publisher, TRANSCRIPTIONS_TRANSCRIBE, { name: 'transcriptions sweep', intervalMs: resolved.intervalMs });
    this.options = resolved;
  }

  protected claimStale(): Promise<TranscriptionEntity[]> {
    return this.transcriptions.claimStale(this.options.staleAfterMs, this.options.batchSize);
  }

  protected messageFor(row: TranscriptionEntity): TranscriptionTranscribeMessage {
    return { transcription_id: row.id };
  }

  protected describe(row: TranscriptionEntity): string {
    return `transcription ${row.id}`;
  }
}
