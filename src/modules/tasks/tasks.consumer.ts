import { Injectable } from '@nestjs/common';
import { DeadLetterHandler, MessageContext, MessageHandler } from '../../core/messaging/message-handler.decorator';
import { QUEUES } from '../../core/messaging/queue-registry';
import { TasksProcessor } from './tasks-processor.service';
import { TaskAnonymiseMessage } from './tasks.messages';

/**
 * `tasks.anonymise`: returning acks; a TasksError (corrupt file, missing engine) dead-letters at
 * once and fails the task; anything else (storage or database down) is retried, then dead-lettered.
 */
@Injectable()
export class TasksConsumer {
  constructor(private readonly processor: TasksProcessor) {}

  @MessageHandler(QUEUES.tasksAnonymise)
  async anonymise(message: TaskAnonymiseMessage): Promise<void> {
    await this.processor.process(message.task_id);
  }

  @DeadLetterHandler(QUEUES.tasksAnonymise)
  async anonymiseGaveUp(message: TaskAnonymiseMessage | undefined, error: Error, context: MessageContext): Promise<void> {
    if (message) await this.processor.failTask(message.task_id, error, context.attempt); // an unreadable message names no task
  }
}
