import { randomUUID } from 'node:crypto';
import { TokenService } from '../../src/modules/auth/token.service';
import { StatusEventPublisher, type StatusUpdate } from '../../src/core/realtime/status-event';
import { StatusEventBus } from '../../src/core/realtime/status-event-bus';
import { StatusSnapshotRegistry } from '../../src/core/realtime/status-snapshot.registry';
import { EcgRepository } from '../../src/modules/ecg/ecg.repository';
import { baseUrlOf, StatusClient, StatusWebSocket, until } from '../utils/realtime-clients';
import { wellSignedButInvalidTokens } from '../utils/tokens';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

type User = { id: string; token: string; username: string };

describe('realtime status over Socket.IO and WebSocket', () => {
  let t: TestApp;
  let base: string;
  let alice: User;
  let bob: User;
  const clients: { close(): void }[] = [];
  const gates: (() => void)[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    base = baseUrlOf(t.app);
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const open of gates.splice(0)) open();
    jest.restoreAllMocks();
  });
  afterAll(() => t.close());

  const connect = async (user: User) => {
    const client = await StatusClient.connect(base, user.token);
    clients.push(client);
    return client;
  };
  const websocket = (path: string) => {
    const ws = new StatusWebSocket(base, path);
    clients.push(ws);
    return ws;
  };
  const submit = (user: User, id: string) =>
    t
      .http()
      .post('/api/v1/ecgs')
      .set('authorization', `Bearer ${user.token}`)
      .send({ id, date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1, -1, 1, -1, 0, -1, 0, 1] }] })
      .expect(202);
  const getStatus = async (user: User, id: string) =>
    (await t.http().get(`/api/v1/ecgs/${id}`).set('authorization', `Bearer ${user.token}`).expect(200)).body.status as string;
  const waitStatus = (user: User, id: string, status: string) =>
    poll(() => getStatus(user, id), (current) => current === status, `ECG ${id} is ${status}`, { timeoutMs: 20_000, intervalMs: 20 });
  /** ECGs submitted from now on stay queued until the returned function is called. */
  const holdAnalyses = (): (() => void) => {
    // Held before the worker takes the ECG, so it stays queued until released.
    const ecgs = t.app.get(EcgRepository);
    const start = ecgs.start.bind(ecgs);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    jest.spyOn(ecgs, 'start').mockImplementation(async (pk) => {
      await gate;
      return start(pk);
    });
    gates.push(open);
    return open;
  };
  const publish = (update: StatusUpdate) => t.app.get(StatusEventPublisher).publish(update);
  // Issued like any token (its jti recorded), with its own lifetime.
  const tokenFor = async (user: User, expiresInS: number) =>
    (await t.app.get(TokenService).issue({ id: user.id, role: 'user', username: user.username }, { expiresInS })).token;

  describe('Socket.IO handshake', () => {
    const refusal = async (token?: string) => {
      const err = await StatusClient.connect(base, token).then(
        (client) => {
          client.close();
          throw new Error('the handshake was accepted');
        },
        (e: Error & { data?: { code: string } }) => e,
      );
      return { message: err.message, code: err.data?.code };
    };

    it('refuses a connection without a token', async () => {
      expect(await refusal()).toEqual({ message: 'A token is required.', code: 'UNAUTHENTICATED' });
    });

    it('refuses a bad token and a tampered one', async () => {
      expect(await refusal('not-a-jwt')).toEqual({ message: 'The token is invalid or expired.', code: 'UNAUTHENTICATED' });
      const [header, payload] = alice.token.split('.');
      expect((await refusal(`${header}.${payload}.${'x'.repeat(43)}`)).code).toBe('UNAUTHENTICATED');
    });

    it('refuses an expired token', async () => {
      expect(await refusal(await tokenFor(alice, -10))).toEqual({ message: 'The token is invalid or expired.', code: 'UNAUTHENTICATED' });
    });

    it('refuses a well-signed token without exp, with a non-UUID sub, or naming an unknown user', async () => {
      for (const [what, token] of wellSignedButInvalidTokens(t.app, alice)) {
        expect({ what, ...(await refusal(token)) }).toEqual({ what, message: 'The token is invalid or expired.', code: 'UNAUTHENTICATED' });
      }
    });

    it('refuses an admin, who manages users only', async () => {
      expect((await refusal(await t.adminToken())).code).toBe('FORBIDDEN');
    });

    it('accepts a valid token over long-polling too (the default transports of a browser client)', async () => {
      const client = await StatusClient.connect(base, alice.token, { transports: ['polling', 'websocket'] });
      clients.push(client);
      await submit(alice, 'over-polling');
      expect(await client.subscribe('ecg', 'over-polling')).toEqual({ ok: true, snapshot: expect.objectContaining({ id: 'over-polling' }) });
    });

    it('disconnects the socket when its token expires', async () => {
      const client = await StatusClient.connect(base, await tokenFor(alice, 2));
      clients.push(client);
      expect(client.socket.connected).toBe(true);
      await until(() => client.disconnectReason !== undefined, 'the disconnect at expiry', 5_000);
      expect(client.disconnectReason).toBe('io server disconnect');
    });
  });

  describe('Socket.IO subscriptions', () => {
    it('acks a subscription with the current snapshot, then sends every change in order up to completed', async () => {
      const release = holdAnalyses();
      await submit(alice, 'live-ecg');
      const client = await connect(alice);

      const ack = await client.subscribe('ecg', 'live-ecg');

      expect(ack).toEqual({ ok: true, snapshot: { type: 'status', resource: 'ecg', id: 'live-ecg', status: 'queued', at: expect.any(String) } });
      release();
      await client.waitFor('ecg', 'live-ecg', (e) => e.status === 'completed', 'the completed event');
      expect(client.of('ecg', 'live-ecg')).toEqual([
        { type: 'status', resource: 'ecg', id: 'live-ecg', status: 'processing', at: expect.any(String) },
        { type: 'status', resource: 'ecg', id: 'live-ecg', status: 'completed', at: expect.any(String) },
      ]);
      // The event's owner is the routing key, not part of what a client sees (DESIGN §5 shape).
      expect(client.events.every((e) => !('owner' in e))).toBe(true);
    });

    it('answers the final snapshot for a finished ECG and sends nothing after it', async () => {
      await submit(alice, 'already-done');
      await waitStatus(alice, 'already-done', 'completed');
      const client = await connect(alice);

      expect(await client.subscribe('ecg', 'already-done')).toEqual({ ok: true, snapshot: expect.objectContaining({ status: 'completed' }) });

      // A stray event (a redelivered message) for a finished resource does not reach the client.
      await publish({ resource: 'ecg', id: 'already-done', owner: alice.id, status: 'processing' });
      // The sentinel is held unfinished: had it completed before its subscription, its own event
      // would be dropped as stray too and the wait would time out.
      const release = holdAnalyses();
      await submit(alice, 'sentinel-1');
      await client.subscribe('ecg', 'sentinel-1');
      await publish({ resource: 'ecg', id: 'sentinel-1', owner: alice.id, status: 'processing' });
      await client.waitFor('ecg', 'sentinel-1', () => true, 'the sentinel event');
      release();
      expect(client.of('ecg', 'already-done')).toEqual([]);
    });

    it("refuses another user's ECG exactly like an unknown one", async () => {
      await submit(alice, 'alices-ecg');
      const client = await connect(bob);

      const foreign = await client.subscribe('ecg', 'alices-ecg');
      const unknown = await client.subscribe('ecg', 'no-such-ecg');

      expect(foreign).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No ecg with id "alices-ecg".' } });
      expect(unknown).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No ecg with id "no-such-ecg".' } });
    });

    it("never delivers another user's events, even for an id both users have", async () => {
      holdAnalyses();
      await submit(alice, 'same-id');
      await submit(bob, 'same-id');
      const client = await connect(bob);
      expect(await client.subscribe('ecg', 'same-id')).toMatchObject({ ok: true });

      await publish({ resource: 'ecg', id: 'same-id', owner: alice.id, status: 'processing', progress: 50 });
      await publish({ resource: 'ecg', id: 'same-id', owner: bob.id, status: 'processing', progress: 10 });

      await client.waitFor('ecg', 'same-id', () => true, "bob's event");
      expect(client.of('ecg', 'same-id')).toEqual([expect.objectContaining({ progress: 10 })]);
    });

    it('stops sending events after unsubscribe', async () => {
      holdAnalyses();
      await submit(alice, 'left');
      await submit(alice, 'kept');
      const client = await connect(alice);
      await client.subscribe('ecg', 'left');
      await client.subscribe('ecg', 'kept');

      expect(await client.unsubscribe('ecg', 'left')).toEqual({ ok: true });
      await publish({ resource: 'ecg', id: 'left', owner: alice.id, status: 'processing', progress: 5 });
      await publish({ resource: 'ecg', id: 'kept', owner: alice.id, status: 'processing', progress: 5 });

      await client.waitFor('ecg', 'kept', () => true, 'the event of the kept subscription');
      expect(client.of('ecg', 'left')).toEqual([]);
    });

    it('keeps progress monotonic: a repeated lower progress is dropped, a terminal status never is', async () => {
      holdAnalyses();
      await submit(alice, 'monotonic');
      const client = await connect(alice);
      await client.subscribe('ecg', 'monotonic');

      for (const progress of [10, 50, 30, 50, 60]) {
        await publish({ resource: 'ecg', id: 'monotonic', owner: alice.id, status: 'processing', progress });
      }
      await publish({ resource: 'ecg', id: 'monotonic', owner: alice.id, status: 'failed', progress: 40, error: 'boom' });

      await client.waitFor('ecg', 'monotonic', (e) => e.status === 'failed', 'the failed event');
      expect(client.of('ecg', 'monotonic').map((e) => [e.status, e.progress])).toEqual([
        ['processing', 10],
        ['processing', 50],
        ['processing', 50],
        ['processing', 60],
        ['failed', 60],
      ]);
    });

    it('answers malformed requests with VALIDATION_FAILED', async () => {
      const client = await connect(alice);
      expect(await client.subscribe('user', 'x')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(await client.subscribe('ecg', '')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(await client.unsubscribe('nope', 'x')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    });
  });

  it('refreshes every subscriber from a fresh snapshot when events may have been missed (a broker reconnect)', async () => {
    const release = holdAnalyses();
    await submit(alice, 'missed');
    const client = await connect(alice);
    await client.subscribe('ecg', 'missed');
    const ws = websocket(`/ws/ecgs/missed?access_token=${alice.token}`);
    await until(() => ws.messages.length === 1, 'the snapshot');
    const bus = t.app.get(StatusEventBus);
    jest.spyOn(bus, 'publish').mockResolvedValue(); // the events are lost on the way
    release();
    await waitStatus(alice, 'missed', 'completed');
    expect(client.of('ecg', 'missed')).toEqual([]);

    bus.resync(); // what the relay does once its queue is bound again

    expect(await ws.closed).toEqual({ code: 1000, reason: 'completed' });
    expect(ws.messages.map((m) => m.status)).toEqual(['queued', 'completed']);
    await client.waitFor('ecg', 'missed', (e) => e.status === 'completed', 'the refreshed status');
  });

  it('sends the changes made while the snapshot was being read right after it, on both channels', async () => {
    holdAnalyses();
    await submit(alice, 'racing');
    const registry = t.app.get(StatusSnapshotRegistry);
    const read = registry.snapshot.bind(registry);
    let reads = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The snapshot is read (queued), then the ECG moves on before the answer goes out.
    jest.spyOn(registry, 'snapshot').mockImplementation(async (...args) => {
      const snapshot = await read(...args);
      reads++;
      await gate;
      return snapshot;
    });
    const client = await connect(alice);
    const ack = client.subscribe('ecg', 'racing');
    const ws = websocket(`/ws/ecgs/racing?access_token=${alice.token}`);
    await until(() => reads === 2, 'both snapshots read');
    await publish({ resource: 'ecg', id: 'racing', owner: alice.id, status: 'processing' });
    await publish({ resource: 'ecg', id: 'racing', owner: alice.id, status: 'completed' });
    expect(client.of('ecg', 'racing')).toEqual([]);

    open();

    expect(await ack).toMatchObject({ ok: true, snapshot: { status: 'queued' } });
    await client.waitFor('ecg', 'racing', (e) => e.status === 'completed', 'the held-back completed event');
    expect(client.of('ecg', 'racing').map((e) => e.status)).toEqual(['processing', 'completed']);
    expect(await ws.closed).toEqual({ code: 1000, reason: 'completed' });
    expect(ws.messages.map((m) => m.status)).toEqual(['queued', 'processing', 'completed']);
  });

  describe('WebSocket /ws/{resource}s/{id}', () => {
    it('sends the snapshot, then each change, and closes with 1000 after the terminal status', async () => {
      const release = holdAnalyses();
      await submit(alice, 'ws-live');
      const ws = websocket(`/ws/ecgs/ws-live?access_token=${alice.token}`);
      await until(() => ws.messages.length === 1, 'the snapshot');

      release();
      const closed = await ws.closed;

      expect(closed).toEqual({ code: 1000, reason: 'completed' });
      expect(ws.messages.map((m) => m.status)).toEqual(['queued', 'processing', 'completed']);
      expect(ws.messages[0]).toEqual({ type: 'status', resource: 'ecg', id: 'ws-live', status: 'queued', at: expect.any(String) });
    });

    it('sends the final snapshot of a finished ECG and closes with 1000 at once', async () => {
      await submit(alice, 'ws-done');
      await waitStatus(alice, 'ws-done', 'completed');
      const ws = websocket(`/ws/ecgs/ws-done?access_token=${alice.token}`);

      expect(await ws.closed).toEqual({ code: 1000, reason: 'completed' });
      expect(ws.messages).toEqual([expect.objectContaining({ id: 'ws-done', status: 'completed' })]);
    });

    it('closes with 4401 for a missing, bad or expired token', async () => {
      await submit(alice, 'ws-auth');
      for (const query of ['', '?access_token=nope', `?access_token=${await tokenFor(alice, -10)}`]) {
        const ws = websocket(`/ws/ecgs/ws-auth${query}`);
        expect((await ws.closed).code).toBe(4401);
        expect(ws.messages).toEqual([]);
      }
    });

    it('closes with 4401 for a well-signed token without exp, with a non-UUID sub, or naming an unknown user', async () => {
      await submit(alice, 'ws-claims');
      for (const [, token] of wellSignedButInvalidTokens(t.app, alice)) {
        const ws = websocket(`/ws/ecgs/ws-claims?access_token=${token}`);
        expect((await ws.closed).code).toBe(4401);
        expect(ws.messages).toEqual([]);
      }
    });

    it('accepts the token as an Authorization header too (non-browser clients)', async () => {
      await submit(alice, 'ws-header');
      await waitStatus(alice, 'ws-header', 'completed');
      const { default: WebSocket } = await import('ws');
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/ecgs/ws-header`, { headers: { authorization: `Bearer ${alice.token}` } });
      const code = await new Promise<number>((resolve) => ws.once('close', resolve));
      expect(code).toBe(1000);
    });

    it("closes with 4404 for an unknown ECG, another user's ECG and an unknown job", async () => {
      await submit(alice, 'ws-alices');
      const paths = [
        `/ws/ecgs/ws-unknown?access_token=${alice.token}`,
        `/ws/ecgs/ws-alices?access_token=${bob.token}`,
        `/ws/jobs/${randomUUID()}?access_token=${alice.token}`,
      ];
      for (const path of paths) {
        const ws = websocket(path);
        expect((await ws.closed).code).toBe(4404);
        expect(ws.messages).toEqual([]);
      }
    });

    it('closes with 4403 for an admin token', async () => {
      const ws = websocket(`/ws/ecgs/x?access_token=${await t.adminToken()}`);
      expect((await ws.closed).code).toBe(4403);
    });

    it('closes with 4401 when the token expires while connected', async () => {
      holdAnalyses();
      await submit(alice, 'ws-expiring');
      const ws = websocket(`/ws/ecgs/ws-expiring?access_token=${await tokenFor(alice, 2)}`);
      await until(() => ws.messages.length === 1, 'the snapshot');
      expect(await ws.closed).toEqual({ code: 4401, reason: 'The token expired.' });
    });

    it('answers 404 to an upgrade on a path that names no resource, and leaves Socket.IO alone', async () => {
      const ws = websocket(`/ws/users/x?access_token=${alice.token}`);
      await expect(ws.opened()).rejects.toThrow(/404/);
      const client = await connect(alice);
      expect(client.socket.connected).toBe(true);
    });
  });
});
