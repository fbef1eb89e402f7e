import type { Provider, Type } from '@nestjs/common';
import { ObjectStorage } from '../storage/object-storage';
import { deleteKeys, deletePrefixes, eraseOwnedItems } from './erase-owned-items';
import { DataLifecycleRegistry, type FeatureDataLifecycle } from './feature-data-lifecycle';

/**
 * The repository side of a feature whose items keep their objects under `<prefix>/<id>/` (jobs,
 * tasks, transcriptions). Originals are optional: a feature without them has nothing to discard.
 */
export interface StoredItemsStore {
  /** Up to `limit` ids of the owner's items; the same ids again until their rows are deleted. */
  listOwnedIds(ownerId: string, limit: number): Promise<string[]>;
  /** Deletes the items' rows and what hangs off them; idempotent. */
  deleteOwnedRows(ownerId: string, ids: string[]): Promise<void>;
  /** Finished items finished before `before`, not yet expired. */
  listExpirable(before: Date, limit: number): Promise<string[]>;
  /** Marks the items expired and clears what they held in the database; their objects are already erased. */
  expire(ids: string[]): Promise<void>;
  /** Finished items whose original is still stored, with its key. */
  listKeptOriginals?(limit: number): Promise<{ id: string; key: string | null }[]>;
  markOriginalsErased?(ids: string[]): Promise<void>;
}

/** A feature whose rows hold all its data (ECGs, series): erasure deletes them, nothing expires. */
export interface OwnedRowsStore {
  deleteAllOwned(ownerId: string): Promise<void>;
}

class StoredItemsLifecycle implements FeatureDataLifecycle {
  readonly discardOriginals?: (limit: number) => Promise<number>;

  constructor(
    readonly name: string,
    private readonly prefix: string,
    private readonly store: StoredItemsStore,
    private readonly storage: ObjectStorage,
  ) {
    const { listKeptOriginals, markOriginalsErased } = store;
    if (listKeptOriginals && markOriginalsErased) {
      this.discardOriginals = async (limit) => {
        const kept = await listKeptOriginals.call(store, limit);
        if (kept.length === 0) return 0;
        await deleteKeys(this.storage, kept.map((item) => item.key));
        await markOriginalsErased.call(store, kept.map((item) => item.id));
        return kept.length;
      };
    }
  }

  async eraseOwner(userId: string): Promise<void> {
    await eraseOwnedItems(this.storage, userId, {
      listIds: (owner, limit) => this.store.listOwnedIds(owner, limit),
      prefixOf: (id) => this.prefixOf(id),
      deleteRows: (owner, ids) => this.store.deleteOwnedRows(owner, ids),
    });
  }

  async expireResults(before: Date, limit: number): Promise<number> {
    const ids = await this.store.listExpirable(before, limit);
    if (ids.length === 0) return 0;
    await deletePrefixes(this.storage, ids.map((id) => this.prefixOf(id)));
    await this.store.expire(ids);
    return ids.length;
  }

  private prefixOf(id: string): string {
    return `${this.prefix}/${id}/`;
  }
}

/**
 * The provider of a feature's FeatureDataLifecycle over its repository, registered when Nest
 * creates it: list it in the feature module's `providers`.
 */
export function storedItemsLifecycle(options: { name: string; prefix: string; store: Type<StoredItemsStore> }): Provider {
  return {
    provide: Symbol(`${options.name} data lifecycle`),
    inject: [options.store, ObjectStorage, DataLifecycleRegistry],
    useFactory: (store: StoredItemsStore, storage: ObjectStorage, registry: DataLifecycleRegistry) => {
      const lifecycle = new StoredItemsLifecycle(options.name, options.prefix, store, storage);
      registry.register(lifecycle);
      return lifecycle;
    },
  };
}

/** The same for a feature whose rows hold all its data. */
export function ownedRowsLifecycle(options: { name: string; store: Type<OwnedRowsStore> }): Provider {
  return {
    provide: Symbol(`${options.name} data lifecycle`),
    inject: [options.store, DataLifecycleRegistry],
    useFactory: (store: OwnedRowsStore, registry: DataLifecycleRegistry) => {
      const lifecycle: FeatureDataLifecycle = { name: options.name, eraseOwner: (userId) => store.deleteAllOwned(userId) };
      registry.register(lifecycle);
      return lifecycle;
    },
  };
}
