import { Module } from '@nestjs/common';
import { AuthModule } from '../../modules/auth/auth.module';
import { RealtimeAuth } from './realtime-auth';
import { StatusEventRelay } from './status-event.relay';
import { StatusWebSocketServer } from './status-websocket.server';
import { StatusGateway } from './status.gateway';

/**
 * The push channels of the HTTP app (API gateway, all-in-one), never of a worker: Socket.IO on
 * `/socket.io`, the plain WebSocket route `/ws/...`, and the relay that binds this process's queue
 * to the status exchange. Needs the app's WebSocket adapter (RealtimeIoAdapter, set by configureHttp).
 */
@Module({
  imports: [AuthModule],
  providers: [RealtimeAuth, StatusEventRelay, StatusGateway, StatusWebSocketServer],
})
export class RealtimeGatewayModule {}
