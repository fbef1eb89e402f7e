import { Module, type DynamicModule, type ForwardReference, type Type } from '@nestjs/common';
import { RealtimeAuth } from './realtime-auth';
import { StatusEventRelay } from './status-event.relay';
import { StatusWebSocketServer } from './status-websocket.server';
import { StatusGateway } from './status.gateway';

/**
 * The push channels of the HTTP app (API gateway, all-in-one), never of a worker: Socket.IO on
 * `/socket.io`, the plain WebSocket route `/ws/...`, and the relay that binds this process's queue
 * to the status exchange. Needs the app's WebSocket adapter (RealtimeIoAdapter, set by configureHttp).
 */
@Module({})
export class RealtimeGatewayModule {
  /** `accessTokens`: the module that provides AccessTokenVerifier and TokenRevocations (the auth feature). */
  static forRoot(options: { accessTokens: Type | DynamicModule | ForwardReference }): DynamicModule {
    return {
      module: RealtimeGatewayModule,
      imports: [options.accessTokens],
      providers: [RealtimeAuth, StatusEventRelay, StatusGateway, StatusWebSocketServer],
    };
  }
}
