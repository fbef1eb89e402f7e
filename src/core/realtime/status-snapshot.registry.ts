import { Injectable } from '@nestjs/common';
import type { StatusResource, StatusSnapshot } from './status-event';

/**
 * The current status of one of `ownerId`'s resources, or null when there is none with this id or it
 * belongs to someone else (the same rule as the feature's GET: existence must not leak).
 */
export type StatusSnapshotProvider = (ownerId: string, id: string) => Promise<StatusSnapshot | null>;

/**
 * Which feature answers for which resource type. A feature registers its provider once, in its
 * module's `onModuleInit`; the realtime channels ask it for the snapshot a subscriber starts from,
 * which is also the ownership check. A resource type nobody registered is unknown (4404).
 */
@Injectable()
export class StatusSnapshotRegistry {
  private readonly providers = new Map<StatusResource, StatusSnapshotProvider>();

  register(resource: StatusResource, provider: StatusSnapshotProvider): void {
    if (this.providers.has(resource)) throw new Error(`A status snapshot provider for "${resource}" is already registered`);
    this.providers.set(resource, provider);
  }

  has(resource: StatusResource): boolean {
    return this.providers.has(resource);
  }

  /** The registered resource types, in registration order. */
  resources(): StatusResource[] {
    return [...this.providers.keys()];
  }

  /** Null for an unknown resource type, an unknown id or another user's id; rejects when the lookup fails. */
  async snapshot(resource: StatusResource, ownerId: string, id: string): Promise<StatusSnapshot | null> {
    const provider = this.providers.get(resource);
    if (!provider) return null;
    const snapshot = await provider(ownerId, id);
    if (snapshot && (snapshot.resource !== resource || snapshot.id !== id)) {
      throw new Error(`The "${resource}" snapshot provider answered for ${snapshot.resource} "${snapshot.id}" when asked for "${id}"`);
    }
    return snapshot;
  }
}
