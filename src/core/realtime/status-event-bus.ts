import { Injectable, Logger } from '@nestjs/common';
import { Broadcaster } from '../messaging/broadcast';
import { StatusEvent, StatusEventPublisher, StatusUpdate } from './status-event';

/** The fanout exchange (RabbitMQ) or in-process channel every status event goes through. */
export const STATUS_EXCHANGE = 'horizon.status';

type Listener<T> = (value: T) => void;

/**
 * Publishing side: every process sends its features' status events to all gateways (a RabbitMQ
 * fanout exchange, or in-process). Receiving side: in a gateway, StatusEventRelay feeds the events
 * from that exchange to the local listeners (the Socket.IO and WebSocket channels). Events are
 * ephemeral; a subscriber that missed one gets a fresh snapshot when it (re)subscribes, and the
 * channels refresh their subscribers' snapshots on `resync` (the relay missed events meanwhile).
 */
@Injectable()
export class StatusEventBus extends StatusEventPublisher {
  private readonly logger = new Logger('StatusEvents');
  private readonly listeners = new Set<Listener<StatusEvent>>();
  private readonly resyncListeners = new Set<Listener<void>>();

  constructor(private readonly broadcaster: Broadcaster) {
    super();
  }

  async publish(update: StatusUpdate): Promise<void> {
    const event: StatusEvent = { type: 'status', ...update, at: new Date().toISOString() };
    this.logger.debug(event, `${event.resource} ${event.id} ${event.status}`);
    await this.broadcaster.publish(STATUS_EXCHANGE, JSON.stringify(event));
  }

  /** Events that reached this process (a gateway). Returns the unsubscribe function. */
  subscribe(listener: Listener<StatusEvent>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when events may have been missed (the broker connection dropped and came back). */
  onResync(listener: Listener<void>): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /** The relay's entry point: one event received from the exchange. */
  deliver(event: StatusEvent): void {
    this.notify(this.listeners, event);
  }

  resync(): void {
    this.notify(this.resyncListeners, undefined);
  }

  private notify<T>(listeners: Set<Listener<T>>, value: T): void {
    for (const listener of listeners) {
      // One failing channel must not keep the event from the others.
      try {
        listener(value);
      } catch (err) {
        this.logger.error(`A status listener failed: ${(err as Error).message}`);
      }
    }
  }
}
