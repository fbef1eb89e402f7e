import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusSnapshotRegistry } from '../../core/realtime/status-snapshot.registry';
import { AnonymisationEngine } from './engine/anonymisation-engine';
import { TaskObjectCountEntity } from './entities/task-object-count.entity';
import { TaskEntity } from './entities/task.entity';
import { TaskEvents } from './task-events';
import { TasksProcessor } from './tasks-processor.service';
import { TasksSweeper } from './tasks-sweeper.service';
import { TasksConsumer } from './tasks.consumer';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';
import { TasksDataLifecycle } from './tasks-data-lifecycle';

/** Image and video anonymisation: create → upload → tasks.anonymise → result and counts. */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskObjectCountEntity])],
  controllers: [TasksController, TasksConsumer],
  providers: [TasksRepository, TaskEvents, TasksService, TasksProcessor, AnonymisationEngine, TasksSweeper, TasksDataLifecycle],
  exports: [TasksService],
})
export class TasksModule implements OnModuleInit {
  constructor(
    private readonly statusSnapshots: StatusSnapshotRegistry,
    private readonly tasks: TasksService,
  ) {}

  /** Realtime subscribers to a task start from this snapshot, which is also their ownership check. */
  onModuleInit(): void {
    this.statusSnapshots.register('task', (ownerId, id) => this.tasks.getStatus(ownerId, id));
  }
}
