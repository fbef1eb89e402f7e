import { io } from '/console/vendor/socket.io/socket.io.esm.min.js';
import { EXPIRED } from './api.js';
import { endSession } from './session.js';

// One Socket.IO connection per signed-in user; each watched resource is a `subscribe` whose ack
// carries the snapshot, then `status` events follow (docs/realtime.md).
const TERMINAL = new Set(['completed', 'processed', 'failed', 'deleted']);
let socket = null;
const watchers = new Map(); // "resource:id" -> Set<listener>

export function isTerminal(status) {
  return TERMINAL.has(status);
}

function subscribe(resource, id) {
  socket.emit('subscribe', { resource, id }, (answer) => {
    if (answer?.ok) deliver(answer.snapshot);
    else for (const listener of watchers.get(`${resource}:${id}`) ?? []) listener({ resource, id, error: answer?.error?.message ?? 'Live status unavailable.' });
  });
}

function deliver(event) {
  for (const listener of watchers.get(`${event.resource}:${event.id}`) ?? []) listener(event);
}

export function connectRealtime(token) {
  disconnectRealtime();
  // WebSocket only: no sticky sessions are needed behind a load balancer (DESIGN §2).
  socket = io({ path: '/socket.io', transports: ['websocket'], auth: { token } });
  socket.on('status', deliver);
  // A re-connection starts every subscription over with a fresh snapshot.
  socket.on('connect', () => {
    for (const room of watchers.keys()) {
      const at = room.indexOf(':');
      subscribe(room.slice(0, at), room.slice(at + 1));
    }
  });
  socket.on('connect_error', (err) => {
    if (err?.data?.code === 'UNAUTHENTICATED') endSession(EXPIRED);
  });
  socket.on('disconnect', (reason) => {
    // The server hangs up when the token expires.
    if (reason === 'io server disconnect') endSession(EXPIRED);
  });
}

export function disconnectRealtime() {
  socket?.disconnect();
  socket = null;
}

/**
 * Calls `listener(event)` with the snapshot, then each change, until a terminal status or the
 * returned stop function. Progress never goes backwards, even if an event overtakes another.
 */
export function watch(resource, id, listener) {
  const room = `${resource}:${id}`;
  let best = -1;
  let done = false;
  const guarded = (event) => {
    if (done) return;
    if (typeof event.progress === 'number') {
      if (event.progress < best) event = { ...event, progress: best };
      best = event.progress;
    }
    listener(event);
    if (isTerminal(event.status)) stop();
  };
  const stop = () => {
    if (done) return;
    done = true;
    const set = watchers.get(room);
    set?.delete(guarded);
    if (set && set.size === 0) {
      watchers.delete(room);
      if (socket?.connected) socket.emit('unsubscribe', { resource, id });
    }
  };
  const fresh = !watchers.has(room);
  if (fresh) watchers.set(room, new Set());
  watchers.get(room).add(guarded);
  if (socket?.connected) {
    // A second watcher of the same room asks again so it gets a snapshot of its own.
    subscribe(resource, id);
  }
  return stop;
}
