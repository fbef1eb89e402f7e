import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import WebSocket from 'ws';
import { baseUrlOf, StatusClient } from '../utils/realtime-clients';
import { poll } from '../utils/poll';
import { createTestApp, TestApp } from '../utils/test-app';

type User = { id: string; token: string; username: string };

const RESOURCES = ['job', 'task', 'ecg', 'transcription'];
const REALTIME_CODES = ['VALIDATION_FAILED', 'NOT_FOUND', 'TOO_MANY_SUBSCRIPTIONS', 'UNAVAILABLE'];

/**
 * The Socket.IO and WebSocket status channels under hostile clients (fast-check, like the REST
 * suite in hostile-input.e2e-spec.ts): wrong types, huge payloads, subscribe floods, unknown
 * resources, other users' ids, malformed frames, half-open connections. Whatever is sent: no
 * crash, never an event of another user's resource, memory bounded, and the server still ready
 * and serving a well-behaved client afterwards.
 */
describe('realtime channels under hostile input', () => {
  let t: TestApp;
  let base: string;
  let alice: User;
  let bob: User;
  /** Events of Bob's resources seen by any of Alice's connections: must stay empty. */
  const leaked: unknown[] = [];
  const opened: { close(): void }[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    base = baseUrlOf(t.app);
    alice = await t.createUser();
    bob = await t.createUser();
    await submitEcg(bob, 'bobs-ecg');
    await submitEcg(alice, 'alices-ecg');
  });
  afterAll(async () => {
    for (const c of opened.splice(0)) c.close();
    await t.close();
  });

  function submitEcg(user: User, id: string) {
    return t
      .http()
      .post('/api/v1/ecgs')
      .set('authorization', `Bearer ${user.token}`)
      .send({ id, date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1, -1, 1, -1, 0, -1, 0, 1] }] })
      .expect(202);
  }

  /** Alice's connection, recording any event about an id only Bob has. */
  async function aliceClient(): Promise<StatusClient> {
    const client = await StatusClient.connect(base, alice.token);
    client.socket.on('status', (event: { id?: string }) => {
      if (typeof event?.id === 'string' && event.id.startsWith('bobs-')) leaked.push(event);
    });
    opened.push(client);
    return client;
  }

  /** The server answers readiness, and a fresh, well-behaved client still gets its own snapshot. */
  async function stillServing(): Promise<void> {
    await t.http().get('/health/ready').expect(200);
    const probe = await StatusClient.connect(base, alice.token);
    try {
      const ack = await probe.subscribe('ecg', 'alices-ecg');
      expect(ack).toMatchObject({ ok: true, snapshot: { resource: 'ecg', id: 'alices-ecg' } });
    } finally {
      probe.close();
    }
  }

  const hostileValue = fc.oneof(
    fc.anything({ maxDepth: 4 }),
    fc.constantFrom(null, undefined, 0, -1, NaN, true, '', '__proto__', 'constructor', [], {}),
    fc.record({ resource: fc.oneof(fc.constantFrom(...RESOURCES), fc.string(), fc.integer()), id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()) }),
    fc.record({ resource: fc.constantFrom(...RESOURCES), id: fc.constantFrom('bobs-ecg', '../bobs-ecg', 'bobs-ecg\u0000', 'BOBS-ECG', ' bobs-ecg', '%62obs-ecg') }),
    fc.string({ minLength: 2000, maxLength: 5000 }).map((s) => ({ resource: 'ecg', id: s })),
  );

  it('answers any subscribe / unsubscribe payload with an error code or a snapshot of the caller’s own resource, never crashing', async () => {
    const client = await aliceClient();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('subscribe', 'unsubscribe'), hostileValue, async (event, payload) => {
        if (!client.socket.connected) return; // a payload Socket.IO itself refused closed it; checked below
        const answer = (await client.socket.timeout(5000).emitWithAck(event, payload)) as { ok: boolean; error?: { code: string }; snapshot?: { id: string } };
        if (answer.ok) {
          if (event === 'subscribe') expect(answer.snapshot?.id).toBe('alices-ecg');
        } else {
          expect(REALTIME_CODES).toContain(answer.error?.code);
        }
      }),
      { numRuns: 300 },
    );
    expect(client.socket.connected).toBe(true); // every payload above is under the message limit
    await stillServing();
  });

  it('refuses other users’ ids exactly like unknown ones, on every resource type, and never sends their events', async () => {
    const client = await aliceClient();
    for (const resource of RESOURCES) {
      expect(await client.subscribe(resource, 'bobs-ecg')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    // Bob's ECG with the same id prefix changes state while Alice is connected.
    await submitEcg(bob, 'bobs-second');
    await poll(
      async () => (await t.http().get('/api/v1/ecgs/bobs-second').set('authorization', `Bearer ${bob.token}`)).body.status as string,
      (s) => s === 'completed',
      "Bob's ECG is analysed",
    );
    expect(leaked).toEqual([]);
  });

  it('survives payloads and events that are not the protocol: unknown events, no ack, binary, over-size messages', async () => {
    const client = await aliceClient();
    client.socket.emit('no-such-event', { resource: 'ecg', id: 'alices-ecg' });
    client.socket.emit('subscribe', { resource: 'ecg', id: 'alices-ecg' }); // no ack callback
    client.socket.emit('subscribe', Buffer.alloc(1024, 1), () => undefined);
    client.socket.emit('subscribe');
    // Larger than maxHttpBufferSize: Socket.IO closes that one connection, nothing else.
    const big = await aliceClient();
    const closed = new Promise<string>((resolve) => big.socket.once('disconnect', resolve));
    big.socket.emit('subscribe', { resource: 'ecg', id: 'x'.repeat(1024 * 1024) });
    expect(await closed).toBeTruthy();
    await stillServing();
  });

  it('caps a subscribe flood at the per-connection limit (200) and keeps memory bounded', async () => {
    for (let i = 0; i < 210; i += 30) await Promise.all(Array.from({ length: 30 }, (_, j) => submitEcg(alice, `many-${i + j}`)));
    // The server and the flooding clients share this process: measure what survives a full
    // collection, not the garbage the clients' 2,500 acks leave (that made the figure noise).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const client = await aliceClient();
    const answers = (await Promise.all(
      Array.from({ length: 1500 }, (_, i) =>
        client.socket.timeout(30_000).emitWithAck('subscribe', i % 3 === 0 ? { resource: RESOURCES[i % 4], id: `flood-${i}` } : { resource: 'ecg', id: `many-${i % 210}` }),
      ),
    )) as { ok: boolean; error?: { code: string } }[];
    const codes = answers.map((a) => (a.ok ? 'ok' : a.error?.code));
    expect(new Set(codes)).toEqual(new Set(['ok', 'NOT_FOUND', 'TOO_MANY_SUBSCRIPTIONS']));
    expect(codes.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(200);
    // A flood from many connections at once.
    const floods = await Promise.all(Array.from({ length: 20 }, () => aliceClient()));
    await Promise.all(floods.map((c) => Promise.all(Array.from({ length: 50 }, (_, i) => c.subscribe('ecg', i % 2 ? 'alices-ecg' : `nope-${i}`)))));
    for (const c of floods) c.close();
    gc();
    const grownMiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    expect(grownMiB).toBeLessThan(100);
    await stillServing();
  });

  it('survives malformed Engine.IO / Socket.IO frames on a raw WebSocket', async () => {
    const frames = fc.sample(
      fc.oneof(
        fc.constantFrom('', '4', '42', '42[', '42["subscribe"', '42["subscribe",{"resource":"ecg","id":"bobs-ecg"}', '40{"token":1}', '41', '9', '2probe', '44{}', '43["x"]', '451-["subscribe",{"_placeholder":true,"num":99}]'),
        fc.string({ maxLength: 300 }).map((s) => `42${s}`),
        fc.string({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      ),
      200,
    );
    // Five frames a connection: Socket.IO closes a connection at its first bad packet.
    const messages: string[] = [];
    for (let i = 0; i < frames.length; i += 5) {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
      ws.on('error', () => undefined);
      ws.on('message', (data) => messages.push(String(data)));
      const connected = new Promise((resolve) => ws.on('message', (data) => String(data).startsWith('40') && resolve(true)));
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(`40${JSON.stringify({ token: alice.token })}`);
      await connected;
      for (const frame of frames.slice(i, i + 5)) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
      await new Promise((resolve) => setTimeout(resolve, 20));
      ws.terminate();
    }
    expect(messages.filter((m) => m.includes('bobs-'))).toEqual([]);
    await stillServing();
  });

  it('ignores whatever a client sends on a plain WebSocket status route', async () => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/ecgs/alices-ecg?access_token=${alice.token}`);
    ws.on('error', () => undefined);
    await new Promise((resolve) => ws.once('open', resolve));
    for (const frame of fc.sample(fc.oneof(fc.string({ maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a))), 100)) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    }
    ws.terminate();
    for (const path of ['/ws/ecgs/bobs-ecg', '/ws/ecgs/%00', `/ws/ecgs/${'x'.repeat(5000)}`, '/ws/users/x', '/ws/ecgs/']) {
      const refused = new WebSocket(`${base.replace(/^http/, 'ws')}${path}?access_token=${alice.token}`);
      const outcome = await new Promise<string>((resolve) => {
        refused.once('close', (code) => resolve(`close ${code}`));
        refused.once('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
        refused.once('error', (e) => resolve(`error ${e.message}`));
      });
      refused.terminate();
      expect(outcome).toMatch(/^(close 44\d\d|http 4\d\d|error .*4\d\d)/);
    }
    await stillServing();
  });

  it('stays ready with half-open connections: unfinished upgrades and sockets dropped without a close frame', async () => {
    const { port } = new URL(base);
    const half: TcpSocket[] = [];
    for (let i = 0; i < 50; i += 1) {
      const socket = tcpConnect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      // An upgrade request that never ends its headers.
      socket.write(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
      half.push(socket);
    }
    const dropped = await Promise.all(Array.from({ length: 30 }, () => aliceClient()));
    await Promise.all(dropped.map((c) => c.subscribe('ecg', 'alices-ecg')));
    // Vanish without a close frame, as a phone losing its network does.
    for (const c of dropped) (c.socket.io.engine as unknown as { transport: { ws?: { _socket?: TcpSocket } } }).transport.ws?._socket?.destroy();
    await stillServing();
    for (const socket of half) socket.destroy();
    await stillServing();
  });
});
