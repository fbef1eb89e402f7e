import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Broadcaster, type BroadcastSubscription } from '../messaging/broadcast';
import { parseStatusEvent } from './status-event';
import { STATUS_EXCHANGE, StatusEventBus } from './status-event-bus';
import { StatusSnapshotRegistry } from './status-snapshot.registry';

/**
 * A gateway's receiving end of the status exchange: with RabbitMQ, an exclusive queue of this
 * process's own, so every gateway sees every event whichever process published it. Only the HTTP
 * app has it (RealtimeGatewayModule): a worker publishes and never binds a queue.
 */
@Injectable()
export class StatusEventRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('StatusEvents');
  private subscription?: BroadcastSubscription;

  constructor(
    private readonly broadcaster: Broadcaster,
    private readonly bus: StatusEventBus,
    private readonly snapshots: StatusSnapshotRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.broadcaster.subscribe(STATUS_EXCHANGE, (body) => this.receive(body), {
      onRebound: () => this.bus.resync(),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  private receive(body: string): void {
    const event = parseStatusEvent(body);
    // A resource type no workload of this gateway registered has no subscriber here.
    if (!event || !this.snapshots.has(event.resource)) {
      this.logger.warn(`Ignored a message on "${STATUS_EXCHANGE}" that is not a status event: ${body.slice(0, 200)}`);
      return;
    }
    this.bus.deliver(event);
  }
}
