import { Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { isRevoked, TokenRevocations } from '../auth/token-revocations';
import { onTokenExpiry, RealtimeAuth, RealtimeAuthError } from './realtime-auth';
import {
  roomOf,
  SOCKET_IO_PATH,
  type RealtimeError,
  type StatusServer,
  type StatusSocket,
  type SubscribeAck,
  type SubscribeRequest,
  type UnsubscribeAck,
} from './realtime-events';
import { toStatusSnapshot, type StatusEvent, type StatusSnapshot } from './status-event';
import { StatusEventBus } from './status-event-bus';
import { StatusSnapshotRegistry } from './status-snapshot.registry';
import { resyncSubscriptions, StatusSubscription } from './status-subscription';

const MAX_SUBSCRIPTIONS_PER_SOCKET = 200;
const MAX_ID_LENGTH = 256;

/**
 * Socket.IO on `/socket.io`: `subscribe {resource, id}` answers the snapshot in its ack, then the
 * resource's `status` events follow until `unsubscribe`, a terminal status or the disconnect.
 * Authenticated in a middleware (Nest guards do not run on connections); the socket is
 * disconnected when its token expires.
 */
@WebSocketGateway({ path: SOCKET_IO_PATH })
export class StatusGateway implements OnGatewayInit<StatusServer>, OnGatewayConnection<StatusSocket>, OnGatewayDisconnect<StatusSocket>, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() private readonly server: StatusServer;
  private readonly cancelExpiry = new WeakMap<StatusSocket, () => void>();
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly auth: RealtimeAuth,
    private readonly snapshots: StatusSnapshotRegistry,
    private readonly bus: StatusEventBus,
    private readonly revocations: TokenRevocations,
  ) {}

  afterInit(server: StatusServer): void {
    server.use((socket, next) => {
      this.auth.authenticate(socket.handshake.auth?.token).then(
        ({ user, expiresAt }) => {
          socket.data = { user, expiresAt, subscriptions: new Map() };
          next();
        },
        (err: unknown) => next(handshakeError(err)),
      );
    });
    this.stops.push(
      this.bus.subscribe((event) => this.deliver(event)),
      this.bus.onResync(() => void this.resync()),
      // A revoked token's connections close at once, not when the token expires.
      this.revocations.onRevoked((revocation) => {
        for (const socket of this.server.sockets.sockets.values()) {
          if (isRevoked(revocation, socket.data.user.id, socket.data.user.tokenId)) socket.disconnect(true);
        }
      }),
    );
  }

  handleConnection(socket: StatusSocket): void {
    this.cancelExpiry.set(
      socket,
      onTokenExpiry(socket.data.expiresAt, () => socket.disconnect(true)),
    );
  }

  handleDisconnect(socket: StatusSocket): void {
    this.cancelExpiry.get(socket)?.();
  }

  onModuleDestroy(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: StatusSocket,
    @MessageBody() body: unknown,
    @Ack() ack?: (answer: SubscribeAck) => void,
  ): Promise<void> {
    // The ack is sent by hand: events held back while the snapshot was read must follow it.
    const reply = (answer: SubscribeAck) => (typeof ack === 'function' ? ack(answer) : undefined);
    const request = parseRequest(body, this.snapshots.resources());
    if ('error' in request) return reply({ ok: false, error: request.error });
    const { resource, id } = request;
    const room = roomOf(resource, id);
    const { user, subscriptions } = socket.data;
    if (!subscriptions.has(room) && subscriptions.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      return reply(failure('TOO_MANY_SUBSCRIPTIONS', `At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection.`));
    }
    // Joined before the snapshot is read, so no change in between is lost; a repeated subscribe
    // starts over with a fresh snapshot.
    const subscription = new StatusSubscription(resource, id, user.id);
    subscriptions.set(room, subscription);
    void socket.join(room);

    let snapshot: StatusSnapshot | null;
    try {
      snapshot = await this.snapshots.snapshot(resource, user.id, id);
    } catch (err) {
      this.logger.error(`Could not read the status of ${resource} "${id}": ${(err as Error).message}`);
      this.release(socket, room, subscription);
      return reply(failure('UNAVAILABLE', 'The status cannot be read right now; try again.'));
    }
    if (!snapshot) {
      this.release(socket, room, subscription);
      return reply(failure('NOT_FOUND', `No ${resource} with id "${id}".`));
    }
    if (socket.data.subscriptions.get(room) !== subscription) return reply({ ok: true, snapshot }); // unsubscribed meanwhile
    const held = subscription.start(snapshot);
    reply({ ok: true, snapshot });
    for (const event of held) socket.emit('status', event);
    if (subscription.ended) this.release(socket, room, subscription);
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: StatusSocket, @MessageBody() body: unknown): UnsubscribeAck {
    const request = parseRequest(body, this.snapshots.resources());
    if ('error' in request) return { ok: false, error: request.error };
    const room = roomOf(request.resource, request.id);
    const subscription = socket.data.subscriptions.get(room);
    if (subscription) this.release(socket, room, subscription);
    return { ok: true };
  }

  private deliver(event: StatusEvent): void {
    const room = roomOf(event.resource, event.id);
    const members = this.server.sockets.adapter.rooms.get(room);
    if (!members) return;
    const status = toStatusSnapshot(event);
    const asIs: string[] = [];
    const ended: [StatusSocket, StatusSubscription][] = [];
    for (const socketId of members) {
      const socket = this.server.sockets.sockets.get(socketId);
      // Ids are unique per owner only: another user's resource with the same id shares the room.
      if (!socket || socket.data.user.id !== event.owner) continue;
      const subscription = socket.data.subscriptions.get(room);
      const out = subscription?.offer(status);
      if (!subscription || !out) continue;
      if (out === status) asIs.push(socketId);
      else socket.emit('status', out);
      if (subscription.ended) ended.push([socket, subscription]);
    }
    // Every socket's own room is its id: one encoding of the packet for all of them.
    if (asIs.length > 0) this.server.to(asIs).emit('status', status);
    for (const [socket, subscription] of ended) this.release(socket, room, subscription);
  }

  private async resync(): Promise<void> {
    const subscribers: { socket: StatusSocket; subscription: StatusSubscription }[] = [];
    for (const socket of this.server.sockets.sockets.values()) {
      for (const subscription of socket.data.subscriptions.values()) subscribers.push({ socket, subscription });
    }
    await resyncSubscriptions(subscribers, this.snapshots, ({ socket, subscription }, status) => {
      socket.emit('status', status);
      if (subscription.ended) this.release(socket, roomOf(subscription.resource, subscription.id), subscription);
    });
  }

  /** After a terminal status nothing more can come: the subscription ends by itself. */
  private release(socket: StatusSocket, room: string, subscription: StatusSubscription): void {
    if (socket.data.subscriptions.get(room) !== subscription) return;
    socket.data.subscriptions.delete(room);
    void socket.leave(room);
  }
}

function failure(code: RealtimeError['code'], message: string): { ok: false; error: RealtimeError } {
  return { ok: false, error: { code, message } };
}

function parseRequest(body: unknown, resources: readonly string[]): SubscribeRequest | { error: RealtimeError } {
  const { resource, id } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof resource !== 'string' || !resources.includes(resource)) {
    return failure('VALIDATION_FAILED', `resource must be one of ${resources.join(', ')}`);
  }
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    return failure('VALIDATION_FAILED', `id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
  return { resource, id };
}

/** What the client sees as `connect_error`: `message`, and `data.code`. */
function handshakeError(err: unknown): Error {
  const known = err instanceof RealtimeAuthError ? err : new RealtimeAuthError('UNAUTHENTICATED', 'The token could not be checked.');
  return Object.assign(new Error(known.message), { data: { code: known.code } });
}
