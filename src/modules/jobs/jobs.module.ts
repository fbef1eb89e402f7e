import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { workloadProviders } from '../../core/workload/workload';
import { JobEntity } from './entities/job.entity';
import { LogEntryEntity } from './entities/log-entry.entity';
import { LogRejectionEntity } from './entities/log-rejection.entity';
import { JobsIngestService } from './jobs-ingest.service';
import { JobsConsumer } from './jobs.consumer';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsResolver } from './jobs.resolver';
import { JobsService } from './jobs.service';
import { JOBS_WORKLOAD } from './jobs.workload';
import { LogIngestRepository } from './log-ingest.repository';
import { JobsDataLifecycle } from './jobs-data-lifecycle';

/** Log-file ingestion: upload → storage → jobs.ingest → entries; REST, GraphQL and status events. */
@Module({
  imports: [TypeOrmModule.forFeature([JobEntity, LogEntryEntity, LogRejectionEntity])],
  controllers: [JobsController, JobsConsumer],
  providers: [JobsRepository, LogIngestRepository, ...workloadProviders(JOBS_WORKLOAD), JobsService, JobsIngestService, JobsResolver, JobsDataLifecycle],
  exports: [JobsService],
})
export class JobsModule {}
