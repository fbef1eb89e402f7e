import { Global, Module } from '@nestjs/common';
import { StatusEventPublisher } from './status-event';
import { StatusEventBus } from './status-event-bus';
import { StatusSnapshotRegistry } from './status-snapshot.registry';

/**
 * In every process: the publisher features send status events to, and the registry of snapshot
 * providers. The push channels (Socket.IO, WebSocket) are RealtimeGatewayModule, in the HTTP app only.
 */
@Global()
@Module({
  providers: [StatusEventBus, { provide: StatusEventPublisher, useExisting: StatusEventBus }, StatusSnapshotRegistry],
  exports: [StatusEventBus, StatusEventPublisher, StatusSnapshotRegistry],
})
export class RealtimeModule {}
