import type { ObjectStorage } from '../storage/object-storage';

export interface OwnedItems {
  /** Up to `limit` ids of the user's items (any order); the same ids again until their rows are deleted. */
  listIds(userId: string, limit: number): Promise<string[]>;
  /** The storage prefix holding every object of one item, e.g. `tasks/<id>/`. */
  prefixOf(id: string): string;
  /** Deletes the items' rows (and what hangs off them) in one transaction; idempotent. */
  deleteRows(userId: string, ids: string[]): Promise<void>;
}

/**
 * Erases a user's items of one feature batch by batch: objects, then rows, then the objects again.
 * Objects go first so that a crash leaves rows naming them for the resumed erasure to find; the
 * second pass catches an object a worker still busy on the item wrote in between (its next write
 * finds the row gone and stops).
 */
export async function eraseOwnedItems(storage: ObjectStorage, userId: string, items: OwnedItems, batchSize = 200): Promise<number> {
  let erased = 0;
  for (;;) {
    const ids = await items.listIds(userId, batchSize);
    if (ids.length === 0) return erased;
    await deletePrefixes(storage, ids.map((id) => items.prefixOf(id)));
    await items.deleteRows(userId, ids);
    await deletePrefixes(storage, ids.map((id) => items.prefixOf(id)));
    erased += ids.length;
  }
}

/** A few deletions at a time: a user with thousands of items must not open thousands of requests at once. */
export async function deletePrefixes(storage: ObjectStorage, prefixes: string[], concurrency = 8): Promise<void> {
  for (let i = 0; i < prefixes.length; i += concurrency) {
    await Promise.all(prefixes.slice(i, i + concurrency).map((prefix) => storage.deletePrefix(prefix)));
  }
}

/** Deletes the keys that are set, a few at a time; a missing object is not an error. */
export async function deleteKeys(storage: ObjectStorage, keys: (string | null | undefined)[], concurrency = 8): Promise<void> {
  const present = keys.filter((k): k is string => typeof k === 'string' && k.length > 0);
  for (let i = 0; i < present.length; i += concurrency) {
    await Promise.all(present.slice(i, i + concurrency).map((key) => storage.delete(key)));
  }
}
