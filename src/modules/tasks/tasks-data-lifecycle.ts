import { Injectable, type OnModuleInit } from '@nestjs/common';
import { deleteKeys, deletePrefixes, eraseOwnedItems } from '../../core/data-lifecycle/erase-owned-items';
import { DataLifecycleRegistry, type FeatureDataLifecycle } from '../../core/data-lifecycle/feature-data-lifecycle';
import { ObjectStorage } from '../../core/storage/object-storage';
import { TasksRepository } from './tasks.repository';

/** Tasks' part of erasure and retention: a task's original and result live under `tasks/<id>/`. */
@Injectable()
export class TasksDataLifecycle implements FeatureDataLifecycle, OnModuleInit {
  readonly name = 'tasks';

  constructor(
    private readonly tasks: TasksRepository,
    private readonly storage: ObjectStorage,
    private readonly registry: DataLifecycleRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async eraseOwner(userId: string): Promise<void> {
    await eraseOwnedItems(this.storage, userId, {
      listIds: (owner, limit) => this.tasks.listOwnedIds(owner, limit),
      prefixOf: (id) => `tasks/${id}/`,
      deleteRows: (owner, ids) => this.tasks.deleteOwnedRows(owner, ids),
    });
  }

  async discardOriginals(limit: number): Promise<number> {
    const kept = await this.tasks.listKeptOriginals(limit);
    if (kept.length === 0) return 0;
    await deleteKeys(this.storage, kept.map((t) => t.inputKey));
    await this.tasks.markOriginalsErased(kept.map((t) => t.id));
    return kept.length;
  }

  async expireResults(before: Date, limit: number): Promise<number> {
    const ids = await this.tasks.listExpirable(before, limit);
    if (ids.length === 0) return 0;
    await deletePrefixes(this.storage, ids.map((id) => `tasks/${id}/`));
    await this.tasks.expire(ids);
    return ids.length;
  }
}
