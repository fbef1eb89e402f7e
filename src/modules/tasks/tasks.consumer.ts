import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext, MessageContext } from '../../core/messaging/message-context';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import type { TaskEntity } from './entities/task.entity';
import { TasksProcessor } from './tasks-processor.service';
import { TaskAnonymiseMessage, TASKS_ANONYMISE } from './tasks.messages';
import { TASKS_WORKLOAD } from './tasks.workload';

/**
 * `tasks.anonymise`: returning acks; a TasksError (corrupt file, missing engine) dead-letters at
 * once and fails the task; anything else (storage or database down) is retried, then dead-lettered.
 */
@Controller()
export class TasksConsumer {
  constructor(
    private readonly processor: TasksProcessor,
    @InjectWorkload(TASKS_WORKLOAD) private readonly workload: WorkloadLifecycle<TaskEntity, TaskAnonymiseMessage>,
  ) {}

  @EventPattern(TASKS_ANONYMISE.name)
  async anonymise(@Payload() message: TaskAnonymiseMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.workload.run(message, context, (run) => this.processor.process(run));
  }

  @EventPattern(TASKS_ANONYMISE.deadLetters)
  async anonymiseGaveUp(@Payload() message: TaskAnonymiseMessage | undefined, @Ctx() context: DeadLetterContext): Promise<void> {
    await this.workload.deadLettered(message, context);
  }
}
