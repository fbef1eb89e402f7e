import { Injectable, Logger } from '@nestjs/common';
import { StatusEventPublisher, type StatusSnapshot, type StatusUpdate } from '../../core/realtime/status-event';
import type { TaskEntity } from './entities/task.entity';

function toTaskUpdate(task: TaskEntity, stage?: string): StatusUpdate {
  const counts = task.status === 'processed' ? Object.fromEntries((task.counts ?? []).map((c) => [c.objectType, c.count])) : undefined;
  return {
    resource: 'task',
    id: task.id,
    owner: task.ownerId,
    status: task.status,
    ...(task.status === 'processing' || task.status === 'processed' ? { progress: task.progress } : {}),
    ...(stage ? { stage } : {}),
    ...(counts ? { counts } : {}),
    ...(task.error ? { error: task.error } : {}),
  };
}

/** What a realtime subscriber starts from: the same shape as the events that follow. */
export function toTaskStatus(task: TaskEntity): StatusSnapshot {
  const { owner: _owner, ...update } = toTaskUpdate(task);
  return { type: 'status', ...update, at: task.updatedAt.toISOString() };
}

/** Task status changes as DESIGN §5 events. */
@Injectable()
export class TaskEvents {
  private readonly logger = new Logger('TaskEvents');

  constructor(private readonly events: StatusEventPublisher) {}

  /** Never throws: the state is committed and readable with GET; a lost event must not fail the work. */
  async emit(task: TaskEntity, stage?: string): Promise<void> {
    try {
      await this.events.publish(toTaskUpdate(task, stage));
    } catch (cause) {
      this.logger.warn(`could not publish the "${task.status}" event of task ${task.id}: ${(cause as Error).message}`);
    }
  }
}
