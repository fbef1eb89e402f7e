import { Logger } from '@nestjs/common';
import { TERMINAL_STATUSES, type StatusResource, type StatusSnapshot } from './status-event';
import type { StatusSnapshotRegistry } from './status-snapshot.registry';

// Events that arrive while the snapshot is being read; a few at most in practice.
const MAX_HELD = 256;

/**
 * What one subscriber has been sent about one resource, so that what it sees stays consistent:
 *
 * - events that arrive before its snapshot is known are held back and sent after it, so a change
 *   made while the snapshot was read is neither lost nor shown before the snapshot;
 * - progress never goes back: an event with less progress than the last one sent (a redelivered
 *   message replaying a step, an event that was overtaken by the snapshot) is dropped; a terminal
 *   status is never dropped, its progress is raised to what the subscriber already saw;
 * - nothing follows a terminal status (`ended`).
 */
export class StatusSubscription {
  constructor(
    readonly resource: StatusResource,
    readonly id: string,
    readonly owner: string,
  ) {}

  private held: StatusSnapshot[] | undefined = [];
  private progress = -Infinity;
  private finished = false;

  /** True once a terminal status was passed on: the channel ends the subscription. */
  get ended(): boolean {
    return this.finished;
  }

  /** Records the snapshot the subscriber is sent first; returns the held-back events to send after it, in order. */
  start(snapshot: StatusSnapshot): StatusSnapshot[] {
    const held = this.held ?? [];
    this.held = undefined;
    this.accept(snapshot);
    return held.map((event) => this.accept(event)).filter((event): event is StatusSnapshot => event !== undefined);
  }

  /** What to send the subscriber for this event: the event, an adjusted copy, or nothing. */
  offer(event: StatusSnapshot): StatusSnapshot | undefined {
    if (this.held) {
      if (this.held.length < MAX_HELD || TERMINAL_STATUSES.has(event.status)) this.held.push(event);
      return undefined;
    }
    return this.accept(event);
  }

  private accept(event: StatusSnapshot): StatusSnapshot | undefined {
    if (this.finished) return undefined;
    const terminal = TERMINAL_STATUSES.has(event.status);
    let out = event;
    if (event.progress !== undefined) {
      if (event.progress < this.progress) {
        if (!terminal) return undefined;
        out = { ...event, progress: this.progress };
      } else {
        this.progress = event.progress;
      }
    }
    if (terminal) this.finished = true;
    return out;
  }
}

const RESYNC_CONCURRENCY = 8;

/**
 * After the relay missed events (the broker connection dropped), reads each subscribed resource's
 * snapshot again and offers it to its subscribers as an event: a status that changed meanwhile,
 * a terminal one above all, still reaches them. One read per resource and owner.
 */
export async function resyncSubscriptions<S extends { subscription: StatusSubscription }>(
  subscribers: Iterable<S>,
  snapshots: StatusSnapshotRegistry,
  send: (subscriber: S, status: StatusSnapshot) => void,
): Promise<void> {
  const groups = new Map<string, S[]>();
  for (const subscriber of subscribers) {
    const { resource, id, owner } = subscriber.subscription;
    const key = JSON.stringify([resource, owner, id]);
    groups.set(key, [...(groups.get(key) ?? []), subscriber]);
  }
  const pending = [...groups.values()];
  const worker = async () => {
    for (let group = pending.pop(); group; group = pending.pop()) {
      const { resource, id, owner } = group[0].subscription;
      const snapshot = await snapshots.snapshot(resource, owner, id).catch((err: Error) => {
        new Logger('Realtime').warn(`Could not refresh the status of ${resource} "${id}": ${err.message}`);
        return null;
      });
      if (!snapshot) continue;
      for (const subscriber of group) {
        const out = subscriber.subscription.offer(snapshot);
        if (out) send(subscriber, out);
      }
    }
  };
  await Promise.all(Array.from({ length: RESYNC_CONCURRENCY }, worker));
}
