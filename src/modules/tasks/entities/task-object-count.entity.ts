import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TaskEntity, type TaskObject } from './task.entity';

/**
 * How many objects of one type a processed task hid: one row per requested type (zero
 * included), replaced as a whole on redelivery so counts are never doubled.
 */
@Entity({ name: 'task_object_counts' })
@Check('task_object_counts_count_check', `"count" >= 0`)
export class TaskObjectCountEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid', primaryKeyConstraintName: 'task_object_counts_pkey' })
  taskId: string;

  @PrimaryColumn({ name: 'object_type', type: 'varchar', length: 16, primaryKeyConstraintName: 'task_object_counts_pkey' })
  objectType: TaskObject;

  @Column({ type: 'integer' })
  count: number;

  @ManyToOne(() => TaskEntity, (task) => task.counts, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'task_object_counts_task_id_fkey' })
  task?: TaskEntity;
}
