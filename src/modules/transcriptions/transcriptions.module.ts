import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { workloadProviders } from '../../core/workload/workload';
import { TRANSCRIBER_PROVIDERS } from './engine/transcriber.provider';
import { TranscriptionEntity } from './entities/transcription.entity';
import { TranscriptionsDataLifecycle } from './transcriptions-data-lifecycle';
import { TranscriptionsProcessingService } from './transcriptions-processing.service';
import { TranscriptionsConsumer } from './transcriptions.consumer';
import { TranscriptionsController } from './transcriptions.controller';
import { TranscriptionsRepository } from './transcriptions.repository';
import { TranscriptionsService } from './transcriptions.service';
import { TRANSCRIPTIONS_WORKLOAD } from './transcriptions.workload';

/** Audio upload → storage → transcriptions.transcribe (offline speech-to-text) → transcript and full-text search. */
@Module({
  imports: [TypeOrmModule.forFeature([TranscriptionEntity])],
  controllers: [TranscriptionsController, TranscriptionsConsumer],
  providers: [
    ...TRANSCRIBER_PROVIDERS,
    TranscriptionsRepository,
    ...workloadProviders(TRANSCRIPTIONS_WORKLOAD),
    TranscriptionsService,
    TranscriptionsProcessingService,
    TranscriptionsDataLifecycle,
  ],
  exports: [TranscriptionsService],
})
export class TranscriptionsModule {}
