import { Injectable, type OnModuleInit } from '@nestjs/common';
import { deletePrefixes, eraseOwnedItems } from '../../core/data-lifecycle/erase-owned-items';
import { DataLifecycleRegistry, type FeatureDataLifecycle } from '../../core/data-lifecycle/feature-data-lifecycle';
import { ObjectStorage } from '../../core/storage/object-storage';
import { JobsRepository } from './jobs.repository';

/** Jobs' part of erasure and retention: the log file is the job's only object, under `jobs/<id>/`. */
@Injectable()
export class JobsDataLifecycle implements FeatureDataLifecycle, OnModuleInit {
  readonly name = 'jobs';

  constructor(
    private readonly jobs: JobsRepository,
    private readonly storage: ObjectStorage,
    private readonly registry: DataLifecycleRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async eraseOwner(userId: string): Promise<void> {
    await eraseOwnedItems(this.storage, userId, {
      listIds: (owner, limit) => this.jobs.listOwnedIds(owner, limit),
      prefixOf: (id) => `jobs/${id}/`,
      deleteRows: (owner, ids) => this.jobs.deleteOwnedRows(owner, ids),
    });
  }

  // The uploaded log file is not an "original" in DESIGN's sense: it is kept like a result, until
  // RETENTION_DAYS, because its entries are what the job offers.
  async expireResults(before: Date, limit: number): Promise<number> {
    const ids = await this.jobs.listExpirable(before, limit);
    if (ids.length === 0) return 0;
    await deletePrefixes(this.storage, ids.map((id) => `jobs/${id}/`));
    await this.jobs.expire(ids);
    return ids.length;
  }
}
