import { IsUUID } from 'class-validator';

/**
 * `tasks.anonymise`: only the task's id. The processor is stateless: what to hide, how, and
 * where the input is are read from the task's row, so a message can never disagree with it.
 */
export class TaskAnonymiseMessage {
  @IsUUID()
  task_id: string;
}
