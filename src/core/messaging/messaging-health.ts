import { Injectable } from '@nestjs/common';
import { MessageTransport } from './message-transport';

export abstract class MessagingHealth {
  /**
   * Resolves when the broker is usable: RabbitMQ connected and a registered queue passively checked
   * (never declared); always for the in-process transport. Rejects with the reason otherwise.
   */
  abstract check(): Promise<void>;
}

@Injectable()
export class TransportMessagingHealth extends MessagingHealth {
  constructor(private readonly transport: MessageTransport) {
    super();
  }

  check(): Promise<void> {
    return this.transport.check();
  }
}
