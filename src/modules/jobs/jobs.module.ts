import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusSnapshotRegistry } from '../../core/realtime/status-snapshot.registry';
import { JobEntity } from './entities/job.entity';
import { LogEntryEntity } from './entities/log-entry.entity';
import { LogRejectionEntity } from './entities/log-rejection.entity';
import { JobEvents } from './job-events';
import { JobsIngestService } from './jobs-ingest.service';
import { JobsSweeper } from './jobs-sweeper.service';
import { JobsConsumer } from './jobs.consumer';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsResolver } from './jobs.resolver';
import { JobsService } from './jobs.service';
import { LogIngestRepository } from './log-ingest.repository';
import { JobsDataLifecycle } from './jobs-data-lifecycle';

/** Log-file ingestion: upload → storage → jobs.ingest → entries; REST, GraphQL and status events. */
@Module({
  imports: [TypeOrmModule.forFeature([JobEntity, LogEntryEntity, LogRejectionEntity])],
  controllers: [JobsController, JobsConsumer],
  providers: [JobsRepository, LogIngestRepository, JobEvents, JobsService, JobsIngestService, JobsSweeper, JobsResolver, JobsDataLifecycle],
  exports: [JobsService],
})
export class JobsModule implements OnModuleInit {
  constructor(
    private readonly statusSnapshots: StatusSnapshotRegistry,
    private readonly jobs: JobsService,
  ) {}

  /** Realtime subscribers to a job start from this snapshot, which is also their ownership check. */
  onModuleInit(): void {
    this.statusSnapshots.register('job', (ownerId, id) => this.jobs.getStatus(ownerId, id));
  }
}
