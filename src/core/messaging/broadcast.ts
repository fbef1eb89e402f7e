import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';

export type BroadcastListener = (body: string) => void;

export interface BroadcastSubscription {
  close(): Promise<void>;
}

export interface BroadcastSubscribeOptions {
  /**
   * Called when the subscription was bound again after the broker connection dropped: messages
   * broadcast meanwhile are lost, so the subscriber should refresh whatever it derived from them.
   */
  onRebound?: () => void;
}

/**
 * Fire-and-forget fan-out: every subscriber, in every process, gets each message published on a
 * channel while it is subscribed. Nothing is stored; for ephemeral notifications such as status
 * events, never for work (that is MessagePublisher, persistent and confirmed).
 */
export abstract class Broadcaster {
  /** Resolves once the message is handed to the broker; rejects when it cannot be (it is then lost). */
  abstract publish(channel: string, body: string): Promise<void>;
  /**
   * Receives the channel's messages from now on, through a queue of this process's own on RabbitMQ
   * (exclusive, auto-delete, re-bound after a reconnect). Resolves once bound.
   */
  abstract subscribe(channel: string, listener: BroadcastListener, options?: BroadcastSubscribeOptions): Promise<BroadcastSubscription>;
}

/** The embedded default: one process, so a channel is an event emitter; delivery is synchronous. */
export class InProcessBroadcaster extends Broadcaster {
  private readonly logger = new Logger('Broadcast');
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, body: string): Promise<void> {
    this.emitter.emit(channel, body);
  }

  async subscribe(channel: string, listener: BroadcastListener): Promise<BroadcastSubscription> {
    const guarded = (body: string) => {
      // A failing subscriber must not fail the publisher, whose work is already done.
      try {
        listener(body);
      } catch (err) {
        this.logger.error(`A subscriber of "${channel}" failed: ${(err as Error).message}`);
      }
    };
    this.emitter.on(channel, guarded);
    return { close: async () => void this.emitter.off(channel, guarded) };
  }
}
