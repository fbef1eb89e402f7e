import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext } from '../../core/messaging/message-context';
import { TasksProcessor } from './tasks-processor.service';
import { TaskAnonymiseMessage, TASKS_ANONYMISE } from './tasks.messages';

/**
 * `tasks.anonymise`: returning acks; a TasksError (corrupt file, missing engine) dead-letters at
 * once and fails the task; anything else (storage or database down) is retried, then dead-lettered.
 */
@Controller()
export class TasksConsumer {
  constructor(private readonly processor: TasksProcessor) {}

  @EventPattern(TASKS_ANONYMISE.name)
  async anonymise(@Payload() message: TaskAnonymiseMessage): Promise<void> {
    await this.processor.process(message.task_id);
  }

  @EventPattern(TASKS_ANONYMISE.deadLetters)
  async anonymiseGaveUp(@Payload() message: TaskAnonymiseMessage | undefined, @Ctx() { error, attempt }: DeadLetterContext): Promise<void> {
    if (message) await this.processor.failTask(message.task_id, error, attempt); // an unreadable message names no task
  }
}
