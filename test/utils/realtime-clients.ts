import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { SubscribeAck, UnsubscribeAck } from '../../src/core/realtime/realtime-events';
import type { StatusSnapshot } from '../../src/core/realtime/status-event';
import { until } from './poll';

/** `http://127.0.0.1:<port>` of a listening Nest app. */
export function baseUrlOf(app: { getHttpServer(): { address(): AddressInfo | string | null } }): string {
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

export { until };

/** A Socket.IO client of Horizon's status channel, recording every `status` event it gets. */
export class StatusClient {
  readonly events: StatusSnapshot[] = [];
  disconnectReason?: string;

  private constructor(readonly socket: Socket) {
    socket.on('status', (event: StatusSnapshot) => this.events.push(event));
    socket.on('disconnect', (reason) => (this.disconnectReason = reason));
  }

  /** Connected, or rejects with the `connect_error` (message and `data.code`). */
  static connect(baseUrl: string, token?: string, options: { transports?: string[] } = {}): Promise<StatusClient> {
    const socket = io(baseUrl, {
      path: '/socket.io',
      auth: token === undefined ? {} : { token },
      transports: options.transports ?? ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new StatusClient(socket)));
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
  }

  subscribe(resource: string, id: string): Promise<SubscribeAck> {
    return this.socket.timeout(10_000).emitWithAck('subscribe', { resource, id }) as Promise<SubscribeAck>;
  }

  unsubscribe(resource: string, id: string): Promise<UnsubscribeAck> {
    return this.socket.timeout(10_000).emitWithAck('unsubscribe', { resource, id }) as Promise<UnsubscribeAck>;
  }

  of(resource: string, id: string): StatusSnapshot[] {
    return this.events.filter((e) => e.resource === resource && e.id === id);
  }

  /** Waits for an event of this resource matching `predicate`, among those not seen yet or already received. */
  async waitFor(resource: string, id: string, predicate: (e: StatusSnapshot) => boolean, what: string, timeoutMs = 10_000): Promise<StatusSnapshot> {
    await until(() => this.of(resource, id).some(predicate), `${what} (got ${JSON.stringify(this.of(resource, id))})`, timeoutMs);
    return this.of(resource, id).find(predicate) as StatusSnapshot;
  }

  close(): void {
    this.socket.close();
  }
}

/** A plain WebSocket client: every message parsed, and how the server closed. */
export class StatusWebSocket {
  readonly messages: StatusSnapshot[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;

  constructor(baseUrl: string, path: string) {
    this.ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + path);
    this.ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as StatusSnapshot));
    this.ws.on('error', () => undefined); // the close code is what the tests look at
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Resolves once the upgrade succeeded; rejects when the server refused it at the HTTP level. */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  close(): void {
    this.ws.close();
  }
}
