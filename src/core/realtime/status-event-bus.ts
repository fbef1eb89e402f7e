import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { StatusEvent, StatusEventPublisher, StatusUpdate } from './status-event';

/**
 * In-process bus: what the gateways' push channels subscribe to. Events are ephemeral; a
 * subscriber that missed one gets a fresh snapshot when it (re)subscribes.
 */
@Injectable()
export class StatusEventBus extends StatusEventPublisher {
  private readonly logger = new Logger('StatusEvents');
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(update: StatusUpdate): Promise<void> {
    const event: StatusEvent = { type: 'status', ...update, at: new Date().toISOString() };
    this.logger.debug(event, `${event.resource} ${event.id} ${event.status}`);
    this.emitter.emit('status', event);
  }

  subscribe(listener: (event: StatusEvent) => void): () => void {
    this.emitter.on('status', listener);
    return () => this.emitter.off('status', listener);
  }
}
