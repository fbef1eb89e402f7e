import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusSnapshotRegistry } from '../../core/realtime/status-snapshot.registry';
import { TRANSCRIBER_PROVIDERS } from './engine/transcriber.provider';
import { TranscriptionEntity } from './entities/transcription.entity';
import { TranscriptionEvents } from './transcription-events';
import { TranscriptionsDataLifecycle } from './transcriptions-data-lifecycle';
import { TranscriptionsProcessingService } from './transcriptions-processing.service';
import { TranscriptionsSweeper } from './transcriptions-sweeper.service';
import { TranscriptionsConsumer } from './transcriptions.consumer';
import { TranscriptionsController } from './transcriptions.controller';
import { TranscriptionsRepository } from './transcriptions.repository';
import { TranscriptionsService } from './transcriptions.service';

/** Audio upload → storage → transcriptions.transcribe (offline speech-to-text) → transcript and full-text search. */
@Module({
  imports: [TypeOrmModule.forFeature([TranscriptionEntity])],
  controllers: [TranscriptionsController, TranscriptionsConsumer],
  providers: [
    ...TRANSCRIBER_PROVIDERS,
    TranscriptionsRepository,
    TranscriptionEvents,
    TranscriptionsService,
    TranscriptionsProcessingService,
    TranscriptionsSweeper,
    TranscriptionsDataLifecycle,
  ],
  exports: [TranscriptionsService],
})
export class TranscriptionsModule implements OnModuleInit {
  constructor(
    private readonly statusSnapshots: StatusSnapshotRegistry,
    private readonly transcriptions: TranscriptionsService,
  ) {}

  /** Realtime subscribers to a transcription start from this snapshot, which is also their ownership check. */
  onModuleInit(): void {
    this.statusSnapshots.register('transcription', (ownerId, id) => this.transcriptions.getStatus(ownerId, id));
  }
}
