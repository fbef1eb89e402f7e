import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { workloadProviders } from '../../core/workload/workload';
import { AnonymisationEngine } from './engine/anonymisation-engine';
import { TaskObjectCountEntity } from './entities/task-object-count.entity';
import { TaskEntity } from './entities/task.entity';
import { TasksProcessor } from './tasks-processor.service';
import { TasksConsumer } from './tasks.consumer';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';
import { TasksDataLifecycle } from './tasks-data-lifecycle';
import { TASKS_WORKLOAD } from './tasks.workload';

/** Image and video anonymisation: create → upload → tasks.anonymise → result and counts. */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskObjectCountEntity])],
  controllers: [TasksController, TasksConsumer],
  providers: [TasksRepository, ...workloadProviders(TASKS_WORKLOAD), TasksService, TasksProcessor, AnonymisationEngine, TasksDataLifecycle],
  exports: [TasksService],
})
export class TasksModule {}
