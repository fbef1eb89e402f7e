import type { Server, Socket } from 'socket.io';
import type { Principal } from '../http/access.decorators';
import type { StatusResource, StatusSnapshot } from './status-event';
import type { StatusSubscription } from './status-subscription';

// Every name and payload of the realtime channels, in one place; docs/realtime.md describes them for clients.

export const SOCKET_IO_PATH = '/socket.io';

export interface SubscribeRequest {
  resource: StatusResource;
  id: string;
}

export type RealtimeErrorCode =
  | 'UNAUTHENTICATED' // handshake: no token, or an invalid or expired one
  | 'FORBIDDEN' // handshake: an admin token (admins manage users only)
  | 'VALIDATION_FAILED' // subscribe: not {resource, id} with a known resource type
  | 'NOT_FOUND' // subscribe: no such resource among yours
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'UNAVAILABLE'; // subscribe: the snapshot could not be read (database down); try again

export interface RealtimeError {
  code: RealtimeErrorCode;
  message: string;
}

export type SubscribeAck = { ok: true; snapshot: StatusSnapshot } | { ok: false; error: RealtimeError };
export type UnsubscribeAck = { ok: true } | { ok: false; error: RealtimeError };

export interface ClientToServerEvents {
  subscribe(request: SubscribeRequest, ack?: (answer: SubscribeAck) => void): void;
  unsubscribe(request: SubscribeRequest, ack?: (answer: UnsubscribeAck) => void): void;
}

export interface ServerToClientEvents {
  status(event: StatusSnapshot): void;
}

/** What the handshake middleware puts on each socket. */
export interface StatusSocketData {
  user: Principal;
  /** Epoch milliseconds when the token expires; the server disconnects the socket then. */
  expiresAt?: number;
  /** By room (`<resource>:<id>`). */
  subscriptions: Map<string, StatusSubscription>;
}

export type StatusServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, StatusSocketData>;
export type StatusSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, StatusSocketData>;

/** The Socket.IO room of one resource; ids are unique per owner only, so delivery also checks the owner. */
export function roomOf(resource: StatusResource, id: string): string {
  return `${resource}:${id}`;
}

/** Close codes of the plain WebSocket route. */
export const WS_CLOSE = {
  /** After the terminal status (the reason is the status). */
  done: 1000,
  /** The gateway is shutting down. */
  goingAway: 1001,
  /** The snapshot could not be read; reconnect later. */
  unavailable: 1011,
  /** Missing, invalid or expired token, also when it expires while connected. */
  unauthenticated: 4401,
  /** An admin token. */
  forbidden: 4403,
  /** No such resource among yours (or a resource type without realtime status). */
  notFound: 4404,
} as const;
