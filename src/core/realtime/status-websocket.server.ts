import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocket, WebSocketServer } from 'ws';
import { isRevoked, TokenRevocations } from '../auth/token-revocations';
import { onTokenExpiry, RealtimeAuth, RealtimeAuthError } from './realtime-auth';
import { roomOf, WS_CLOSE } from './realtime-events';
import { isStatusResource, TERMINAL_STATUSES, toStatusSnapshot, type StatusEvent, type StatusResource, type StatusSnapshot } from './status-event';
import { StatusEventBus } from './status-event-bus';
import { StatusSnapshotRegistry } from './status-snapshot.registry';
import { resyncSubscriptions, StatusSubscription } from './status-subscription';

const ROUTE = /^\/ws\/([a-z]+)s\/([^/]+)$/;
const PING_INTERVAL_MS = 30_000;
const SHUTDOWN_GRACE_MS = 1_000;

interface Subscriber {
  ws: WebSocket;
  subscription: StatusSubscription;
  alive: boolean;
  tokenId?: string;
}

/**
 * The plain WebSocket route `/ws/<resource>s/<id>?access_token=<jwt>` (`/ws/jobs/{job_id}`, and
 * `/ws/ecgs/{id}` etc. for the other resources with realtime status), on the HTTP server beside
 * Socket.IO: it handles the upgrades under `/ws/` and leaves every other one alone. The first
 * message is the snapshot, then each change; the server closes with 1000 after a terminal status.
 * Close codes: WS_CLOSE.
 */
@Injectable()
export class StatusWebSocketServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  // Clients send nothing; a tiny limit keeps a misbehaving one from costing memory.
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024, clientTracking: true });
  private readonly byRoom = new Map<string, Set<Subscriber>>();
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: RealtimeAuth,
    private readonly snapshots: StatusSnapshotRegistry,
    private readonly bus: StatusEventBus,
    private readonly revocations: TokenRevocations,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', this.upgrade);
    const heartbeat = setInterval(() => this.ping(), PING_INTERVAL_MS).unref();
    this.stops.push(
      () => server.off('upgrade', this.upgrade),
      () => clearInterval(heartbeat),
      this.bus.subscribe((event) => this.deliver(event)),
      this.bus.onResync(() => void this.resync()),
      this.revocations.onRevoked((revocation) => {
        for (const set of this.byRoom.values()) {
          for (const { ws, subscription, tokenId } of set) {
            if (isRevoked(revocation, subscription.owner, tokenId)) ws.close(WS_CLOSE.unauthenticated, 'The token was revoked.');
          }
        }
      }),
    );
  }

  /**
   * Closes the clients with 1001 so they reconnect elsewhere. At module destroy, not later: the
   * GraphQL module's Apollo drain plugin ends every upgraded socket in its own onModuleDestroy, which
   * Nest runs after ours (its module is imported one level deeper), and they would see 1006.
   */
  async onModuleDestroy(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    const clients = [...this.wss.clients];
    const closed = Promise.all(clients.map((ws) => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve(null) : ws.once('close', resolve)))));
    for (const ws of clients) ws.close(WS_CLOSE.goingAway, 'The server is shutting down.');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
    clearTimeout(timer);
    for (const ws of this.wss.clients) ws.terminate(); // the HTTP server cannot close while they are open
    this.wss.close();
  }

  private readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/ws/')) return; // Socket.IO's, or nobody's (engine.io ends those)
    const route = matchRoute(url.pathname, this.snapshots);
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const token = url.searchParams.get('access_token') ?? bearerToken(req.headers.authorization);
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, route.resource, route.id, token));
  };

  private async open(ws: WebSocket, resource: StatusResource, id: string, token: string | undefined): Promise<void> {
    ws.on('error', (err) => this.logger.debug(`WebSocket error: ${err.message}`));
    let identity: Awaited<ReturnType<RealtimeAuth['authenticate']>>;
    try {
      identity = await this.auth.authenticate(token);
    } catch (err) {
      const forbidden = err instanceof RealtimeAuthError && err.code === 'FORBIDDEN';
      ws.close(forbidden ? WS_CLOSE.forbidden : WS_CLOSE.unauthenticated, forbidden ? 'Admins manage users only.' : 'The token is missing, invalid or expired.');
      return;
    }
    if (ws.readyState !== WebSocket.OPEN) return; // the client left while its token was checked
    // Registered before the snapshot is read, so no change in between is lost.
    const subscriber: Subscriber = { ws, subscription: new StatusSubscription(resource, id, identity.user.id), alive: true, tokenId: identity.user.tokenId };
    const room = roomOf(resource, id);
    this.add(room, subscriber);
    const cancelExpiry = onTokenExpiry(identity.expiresAt, () => ws.close(WS_CLOSE.unauthenticated, 'The token expired.'));
    ws.on('pong', () => (subscriber.alive = true));
    ws.once('close', () => {
      cancelExpiry();
      this.remove(room, subscriber);
    });

    let snapshot: StatusSnapshot | null;
    try {
      snapshot = await this.snapshots.snapshot(resource, identity.user.id, id);
    } catch (err) {
      this.logger.error(`Could not read the status of ${resource} "${id}": ${(err as Error).message}`);
      ws.close(WS_CLOSE.unavailable, 'The status cannot be read right now; try again.');
      return;
    }
    if (!snapshot) {
      ws.close(WS_CLOSE.notFound, `No such ${resource} among yours.`);
      return;
    }
    if (ws.readyState !== WebSocket.OPEN) return;
    const held = subscriber.subscription.start(snapshot);
    this.send(subscriber, JSON.stringify(snapshot), snapshot);
    for (const event of held) this.send(subscriber, JSON.stringify(event), event);
  }

  private deliver(event: StatusEvent): void {
    const subscribers = this.byRoom.get(roomOf(event.resource, event.id));
    if (!subscribers) return;
    const status = toStatusSnapshot(event);
    let text: string | undefined; // serialised once for everyone who gets it as it is
    for (const subscriber of subscribers) {
      // Ids are unique per owner only: another user's resource with the same id shares the room.
      if (subscriber.subscription.owner !== event.owner) continue;
      const out = subscriber.subscription.offer(status);
      if (out) this.send(subscriber, out === status ? (text ??= JSON.stringify(status)) : JSON.stringify(out), out);
    }
  }

  private send(subscriber: Subscriber, text: string, status: StatusSnapshot): void {
    const { ws } = subscriber;
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(text);
    if (TERMINAL_STATUSES.has(status.status)) ws.close(WS_CLOSE.done, status.status);
  }

  private async resync(): Promise<void> {
    const all = [...this.byRoom.values()].flatMap((set) => [...set]);
    await resyncSubscriptions(all, this.snapshots, (subscriber, status) => this.send(subscriber, JSON.stringify(status), status));
  }

  private ping(): void {
    for (const set of this.byRoom.values()) {
      for (const subscriber of set) {
        // No pong since the last ping: the peer is gone without a close (network cut).
        if (!subscriber.alive) {
          subscriber.ws.terminate();
          continue;
        }
        subscriber.alive = false;
        if (subscriber.ws.readyState === WebSocket.OPEN) subscriber.ws.ping();
      }
    }
  }

  private add(room: string, subscriber: Subscriber): void {
    let set = this.byRoom.get(room);
    if (!set) this.byRoom.set(room, (set = new Set()));
    set.add(subscriber);
  }

  private remove(room: string, subscriber: Subscriber): void {
    const set = this.byRoom.get(room);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.byRoom.delete(room);
  }
}

/** `/ws/jobs/<id>` → job; undefined for a path that names no resource type. */
function matchRoute(pathname: string, snapshots: StatusSnapshotRegistry): { resource: StatusResource; id: string } | undefined {
  const match = ROUTE.exec(pathname);
  if (!match || !isStatusResource(match[1]) || !snapshots.has(match[1])) return undefined;
  try {
    return { resource: match[1], id: decodeURIComponent(match[2]) };
  } catch {
    return undefined; // malformed percent-encoding
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const [scheme, token] = (header ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}
