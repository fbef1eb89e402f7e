import { Injectable } from '@nestjs/common';
import { MessageTransport } from './message-transport';
import { MessagingServer } from './messaging.server';

export abstract class MessagingHealth {
  /**
   * Resolves when the broker is usable: RabbitMQ connected and a registered queue passively checked
   * (never declared); always for the in-process transport. In a consuming process, also only once
   * the consumers are attached, so "ready" never precedes consumption. Rejects with the reason otherwise.
   */
  abstract check(): Promise<void>;
}

@Injectable()
export class TransportMessagingHealth extends MessagingHealth {
  constructor(
    private readonly transport: MessageTransport,
    private readonly server: MessagingServer,
  ) {
    super();
  }

  async check(): Promise<void> {
    if (!this.server.consumersAttached()) throw new Error('the queue consumers are not attached (starting or stopping)');
    await this.transport.check();
  }
}
