import { Injectable, type OnModuleInit } from '@nestjs/common';
import { deleteKeys, deletePrefixes, eraseOwnedItems } from '../../core/data-lifecycle/erase-owned-items';
import { DataLifecycleRegistry, type FeatureDataLifecycle } from '../../core/data-lifecycle/feature-data-lifecycle';
import { ObjectStorage } from '../../core/storage/object-storage';
import { TranscriptionsRepository } from './transcriptions.repository';

/** Transcriptions' part of erasure and retention: the audio lives under `transcriptions/<id>/`, the transcript in the row. */
@Injectable()
export class TranscriptionsDataLifecycle implements FeatureDataLifecycle, OnModuleInit {
  readonly name = 'transcriptions';

  constructor(
    private readonly transcriptions: TranscriptionsRepository,
    private readonly storage: ObjectStorage,
    private readonly registry: DataLifecycleRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async eraseOwner(userId: string): Promise<void> {
    await eraseOwnedItems(this.storage, userId, {
      listIds: (owner, limit) => this.transcriptions.listOwnedIds(owner, limit),
      prefixOf: (id) => `transcriptions/${id}/`,
      deleteRows: (owner, ids) => this.transcriptions.deleteOwnedRows(owner, ids),
    });
  }

  async discardOriginals(limit: number): Promise<number> {
    const kept = await this.transcriptions.listKeptOriginals(limit);
    if (kept.length === 0) return 0;
    await deleteKeys(this.storage, kept.map((t) => t.objectKey));
    await this.transcriptions.markOriginalsErased(kept.map((t) => t.id));
    return kept.length;
  }

  async expireResults(before: Date, limit: number): Promise<number> {
    const ids = await this.transcriptions.listExpirable(before, limit);
    if (ids.length === 0) return 0;
    await deletePrefixes(this.storage, ids.map((id) => `transcriptions/${id}/`));
    await this.transcriptions.expire(ids);
    return ids.length;
  }
}
