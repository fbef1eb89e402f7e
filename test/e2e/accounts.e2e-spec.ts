import type { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JWT_KEY } from '../../src/modules/auth/jwt-secret';
import { EcgAnalysisService } from '../../src/modules/ecg/ecg-analysis.service';
import { poll } from '../utils/poll';
import { baseUrlOf, StatusClient, StatusWebSocket, until } from '../utils/realtime-clients';
import { ADMIN, createTestApp, TestApp } from '../utils/test-app';
import { forgeToken } from '../utils/tokens';

type User = { id: string; token: string; username: string };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('accounts: admin user management, revocation, audit', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    adminId = (await t.http().get('/api/v1/users/me').set(bearer(admin)).expect(200)).body.id;
  });
  afterAll(() => t.close());

  const patch = (id: string, body: object, token = admin) => t.http().patch(`/api/v1/users/${id}`).set(bearer(token)).send(body);
  const me = (token: string) => t.http().get('/api/v1/users/me').set(bearer(token));

  describe('listing and reading users', () => {
    it('pages users by username, filters by a prefix in any case, and shows no password', async () => {
      for (const name of ['list.carol', 'list.Dave', 'list.erin', 'other.frank']) await t.createUser(name);
      const first = await t.http().get('/api/v1/users?q=LIST.&limit=2').set(bearer(admin)).expect(200);
      expect(first.body.items.map((u: { username: string }) => u.username)).toEqual(['list.carol', 'list.Dave']);
      expect(first.body.items[0]).toEqual({
        id: expect.any(String),
        username: 'list.carol',
        role: 'user',
        disabled: false,
        created_at: expect.any(String),
        last_login_at: expect.any(String), // createUser logged in
      });
      expect(JSON.stringify(first.body)).not.toMatch(/password|hash/);
      const second = await t.http().get(`/api/v1/users?q=list.&limit=2&cursor=${first.body.next_cursor}`).set(bearer(admin)).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ username: 'list.erin' })], next_cursor: null });
      const all = await t.http().get('/api/v1/users').set(bearer(admin)).expect(200);
      expect(all.body.items.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['admin', 'other.frank']));
    });

    it('treats LIKE wildcards in ?q= as plain characters', async () => {
      const res = await t.http().get('/api/v1/users?q=%25').set(bearer(admin)).expect(200);
      expect(res.body.items).toEqual([]);
      await t.http().get('/api/v1/users?q=_').set(bearer(admin)).expect(200, { items: [], next_cursor: null });
    });

    it('reads one user; 404 for an unknown or malformed id; 403 for a plain user on every admin route', async () => {
      const alice = await t.createUser();
      const res = await t.http().get(`/api/v1/users/${alice.id}`).set(bearer(admin)).expect(200);
      expect(res.body).toMatchObject({ id: alice.id, username: alice.username, disabled: false });
      await t.http().get('/api/v1/users/00000000-0000-4000-8000-000000000000').set(bearer(admin)).expect(404);
      expect((await t.http().get('/api/v1/users/not-a-uuid').set(bearer(admin)).expect(404)).body.code).toBe('USER_NOT_FOUND');
      await t.http().get('/api/v1/users').set(bearer(alice.token)).expect(403);
      await t.http().get(`/api/v1/users/${alice.id}`).set(bearer(alice.token)).expect(403);
      await patch(alice.id, { role: 'admin' }, alice.token).expect(403);
      await t.http().delete(`/api/v1/users/${alice.id}`).set(bearer(alice.token)).expect(403);
      await t.http().get('/api/v1/audit-events').set(bearer(alice.token)).expect(403);
    });

    it('answers 422 to bad changes and a bad cursor', async () => {
      const alice = await t.createUser();
      for (const body of [{ role: 'root' }, { disabled: 'yes' }, { password: 'short' }, { username: 'renamed' }]) {
        const res = await patch(alice.id, body).expect(422);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      expect((await t.http().get('/api/v1/users?cursor=nope').set(bearer(admin)).expect(422)).body.code).toBe('INVALID_CURSOR');
      await t.http().get(`/api/v1/users?q=${'a'.repeat(65)}`).set(bearer(admin)).expect(422);
    });
  });

  describe('changes revoke tokens at once', () => {
    it('disabling refuses every token of the user on the next request and refuses login; enabling lets them log in again', async () => {
      const alice = await t.createUser();
      const second = await t.tokenFor(alice.username, 'user-password-1');
      await me(alice.token).expect(200); // cached now
      const res = await patch(alice.id, { disabled: true }).expect(200);
      expect(res.body).toMatchObject({ id: alice.id, disabled: true });
      await me(alice.token).expect(401);
      await me(second).expect(401);
      const login = await t.http().post('/api/v1/auth/token').send({ username: alice.username, password: 'user-password-1' }).expect(401);
      expect(login.body.code).toBe('ACCOUNT_DISABLED');
      await patch(alice.id, { disabled: false }).expect(200);
      await me(alice.token).expect(401); // revoked tokens stay revoked
      await me(await t.tokenFor(alice.username, 'user-password-1')).expect(200);
    });

    it('a role change or a password reset revokes the tokens; the new password works, the old one does not', async () => {
      const alice = await t.createUser();
      await me(alice.token).expect(200);
      await patch(alice.id, { role: 'admin' }).expect(200);
      await me(alice.token).expect(401);
      const asAdmin = await t.tokenFor(alice.username, 'user-password-1');
      expect((await me(asAdmin).expect(200)).body.role).toBe('admin');
      await patch(alice.id, { password: 'a-brand-new-password' }).expect(200);
      await me(asAdmin).expect(401);
      await t.http().post('/api/v1/auth/token').send({ username: alice.username, password: 'user-password-1' }).expect(401);
      await t.tokenFor(alice.username, 'a-brand-new-password');
      await patch(alice.id, { role: 'user' }).expect(200);
    });

    it('changing nothing that matters (same role, enabling an enabled user) keeps the tokens', async () => {
      const alice = await t.createUser();
      await patch(alice.id, { role: 'user', disabled: false }).expect(200);
      await me(alice.token).expect(200);
    });
  });

  describe('the last enabled admin', () => {
    it('cannot be demoted, disabled or deleted (409 LAST_ADMIN), and stays usable', async () => {
      for (const res of [
        await patch(adminId, { role: 'user' }),
        await patch(adminId, { disabled: true }),
        await t.http().delete(`/api/v1/users/${adminId}`).set(bearer(admin)),
      ]) {
        expect(res.status).toBe(409);
        expect(res.body.code).toBe('LAST_ADMIN');
      }
      await me(admin).expect(200);
    });

    it('two concurrent demotions of the only two admins: one succeeds, the other is 409', async () => {
      const other = await t.createUser();
      await patch(other.id, { role: 'admin' }).expect(200);
      const otherToken = await t.tokenFor(other.username, 'user-password-1');
      const [a, b] = await Promise.all([patch(adminId, { role: 'user' }, otherToken), patch(other.id, { role: 'user' })]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      // Put things back: whichever admin is left promotes nothing, the demoted one is made admin again by it.
      if (a.status === 200) {
        const newAdmin = await t.tokenFor(other.username, 'user-password-1');
        await patch(adminId, { role: 'admin' }, newAdmin).expect(200);
        admin = await t.adminToken();
      }
      await patch(other.id, { role: 'user' }).expect(200);
      const admins = (await t.http().get('/api/v1/users?limit=500').set(bearer(admin)).expect(200)).body.items.filter(
        (u: { role: string; disabled: boolean }) => u.role === 'admin' && !u.disabled,
      );
      expect(admins.map((u: { username: string }) => u.username)).toEqual([ADMIN.username]);
    });
  });

  describe('deleting a user', () => {
    it('answers 202 erasing; the token is refused, the user is gone with their rows, the username can be reused', async () => {
      const alice = await t.createUser();
      await t
        .http()
        .post('/api/v1/ecgs')
        .set(bearer(alice.token))
        .send({ id: 'to-erase', date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1] }] })
        .expect(202);
      const res = await t.http().delete(`/api/v1/users/${alice.id}`).set(bearer(admin)).expect(202);
      expect(res.body).toEqual({ status: 'erasing' });
      await me(alice.token).expect(401);
      await poll(async () => (await t.http().get(`/api/v1/users/${alice.id}`).set(bearer(admin))).status, (s) => s === 404, 'the user is gone');
      await t.http().delete(`/api/v1/users/${alice.id}`).set(bearer(admin)).expect(404);
      const again = await t.createUser(alice.username);
      expect(again.id).not.toBe(alice.id);
      await t.http().get('/api/v1/ecgs/to-erase').set(bearer(again.token)).expect(404);
      expect((await t.http().get('/api/v1/ecgs').set(bearer(again.token)).expect(200)).body.items).toEqual([]);
    });
  });

  describe('own password and logout', () => {
    it('a password change keeps the token in use, revokes the others; wrong current 401, weak 422', async () => {
      const alice = await t.createUser();
      const other = await t.tokenFor(alice.username, 'user-password-1');
      const change = (body: object) => t.http().post('/api/v1/users/me/password').set(bearer(alice.token)).send(body);
      expect((await change({ current_password: 'wrong-password', new_password: 'another-password-1' }).expect(401)).body.code).toBe('INVALID_CURRENT_PASSWORD');
      await change({ current_password: 'user-password-1', new_password: 'short' }).expect(422);
      await change({ current_password: 'user-password-1' }).expect(422);
      await me(other).expect(200);
      await change({ current_password: 'user-password-1', new_password: 'another-password-1' }).expect(204);
      await me(alice.token).expect(200);
      await me(other).expect(401);
      await t.http().post('/api/v1/auth/token').send({ username: alice.username, password: 'user-password-1' }).expect(401);
      await t.tokenFor(alice.username, 'another-password-1');
    });

    it('refuses a token from before the upgrade: well signed, valid claims, but no jti', async () => {
      const alice = await t.createUser();
      const key = t.app.get<KeyObject>(JWT_KEY, { strict: false });
      const old = forgeToken({ sub: alice.id, role: 'user', username: alice.username, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 }, key);
      await me(old).expect(401);
    });

    it('logout refuses this token from then on and leaves the user\'s other tokens alone', async () => {
      const alice = await t.createUser();
      const other = await t.tokenFor(alice.username, 'user-password-1');
      await me(alice.token).expect(200);
      await t.http().post('/api/v1/auth/logout').set(bearer(alice.token)).expect(204);
      expect((await me(alice.token).expect(401)).body.code).toBe('UNAUTHORIZED');
      await t.http().post('/api/v1/auth/logout').set(bearer(alice.token)).expect(401);
      await me(other).expect(200);
      await t.http().post('/api/v1/auth/logout').expect(401);
    });
  });

  describe('revocation closes realtime connections, already open ones included', () => {
    let base: string;
    const clients: { close(): void }[] = [];
    let open: (() => void) | undefined;
    beforeAll(() => {
      base = baseUrlOf(t.app);
    });
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
      open?.();
      jest.restoreAllMocks();
    });

    /** An ECG of `user` that stays queued (so its WebSocket stays open) until the test ends. */
    const queuedEcg = async (user: User, id: string) => {
      const service = t.app.get(EcgAnalysisService);
      const analyse = service.analyse.bind(service);
      const gate = new Promise<void>((resolve) => (open = resolve));
      jest.spyOn(service, 'analyse').mockImplementation(async (pk) => {
        await gate;
        return analyse(pk);
      });
      await t
        .http()
        .post('/api/v1/ecgs')
        .set(bearer(user.token))
        .send({ id, date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1] }] })
        .expect(202);
    };
    const socketIo = async (token: string) => {
      const client = await StatusClient.connect(base, token);
      clients.push(client);
      return client;
    };
    const websocket = async (path: string) => {
      const ws = new StatusWebSocket(base, path);
      clients.push(ws);
      await until(() => ws.messages.length === 1, 'the snapshot');
      return ws;
    };

    it('logout closes the Socket.IO and WebSocket connections of that token only; the token cannot open new ones', async () => {
      const alice = await t.createUser();
      const other = await t.tokenFor(alice.username, 'user-password-1');
      await queuedEcg(alice, 'watch-logout');
      const io = await socketIo(alice.token);
      const ioOther = await socketIo(other);
      const ws = await websocket(`/ws/ecgs/watch-logout?access_token=${alice.token}`);
      const wsOther = await websocket(`/ws/ecgs/watch-logout?access_token=${other}`);

      await t.http().post('/api/v1/auth/logout').set(bearer(alice.token)).expect(204);
      expect(await ws.closed).toEqual({ code: 4401, reason: 'The token was revoked.' });
      await until(() => io.disconnectReason !== undefined, 'the Socket.IO disconnect', 5_000);
      expect(io.disconnectReason).toBe('io server disconnect');
      expect(ioOther.socket.connected).toBe(true);
      expect(wsOther.messages).toHaveLength(1);

      await expect(StatusClient.connect(base, alice.token)).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
      const refused = new StatusWebSocket(base, `/ws/ecgs/watch-logout?access_token=${alice.token}`);
      clients.push(refused);
      expect((await refused.closed).code).toBe(4401);
    });

    it('disabling a user closes every connection of theirs', async () => {
      const alice = await t.createUser();
      const other = await t.tokenFor(alice.username, 'user-password-1');
      await queuedEcg(alice, 'watch-disable');
      const io = await socketIo(alice.token);
      const ioOther = await socketIo(other);
      const ws = await websocket(`/ws/ecgs/watch-disable?access_token=${other}`);
      await patch(alice.id, { disabled: true }).expect(200);
      expect((await ws.closed).code).toBe(4401);
      await until(() => io.disconnectReason !== undefined && ioOther.disconnectReason !== undefined, 'both Socket.IO disconnects', 5_000);
    });
  });

  describe('audit log', () => {
    it('records admin actions with actor, target and request id, newest first, paginated; kept after the target is deleted', async () => {
      const bob = await t.createUser('audited.bob');
      await patch(bob.id, { role: 'admin' }).expect(200);
      await patch(bob.id, { role: 'user', disabled: true, password: 'reset-password-1' }).set('x-request-id', 'audit-req-1').expect(200);
      await t.http().delete(`/api/v1/users/${bob.id}`).set(bearer(admin)).expect(202);
      const events = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Record<string, unknown>[]; next_cursor: string | null } } = await t
          .http()
          .get(`/api/v1/audit-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
          .set(bearer(admin))
          .expect(200);
        events.push(...page.body.items);
        cursor = page.body.next_cursor;
      } while (cursor);
      const bobs = events.filter((e) => e.target_id === bob.id).map((e) => e.action);
      expect(bobs).toEqual(['user.deleted', 'user.password_reset', 'user.disabled', 'user.changed', 'user.changed', 'user.created']);
      const reset = events.find((e) => e.target_id === bob.id && e.action === 'user.password_reset');
      expect(reset).toEqual({
        id: expect.any(String),
        at: expect.any(String),
        action: 'user.password_reset',
        actor_id: adminId,
        actor_username: 'admin',
        target_id: bob.id,
        target_username: 'audited.bob',
        request_id: 'audit-req-1',
        details: {},
      });
      expect(events.find((e) => e.target_id === bob.id && e.action === 'user.changed')?.details).toEqual({ role: { from: 'admin', to: 'user' } });
      expect(JSON.stringify(events)).not.toMatch(/reset-password-1/);
    });

    it('is append-only: the database refuses to change or delete a row', async () => {
      const db = t.app.get(DataSource);
      await expect(db.query(`UPDATE audit_events SET action = 'user.created'`)).rejects.toThrow(/append-only/);
      await expect(db.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
      await expect(db.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    });
  });
});

describe('accounts: login throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'true', LOGIN_THROTTLE_USERNAME_FAILURES: '3', LOGIN_THROTTLE_ADDRESS_FAILURES: '6' });
  });
  afterAll(() => t.close());

  let address = 0;
  const login = (username: string, password: string, from = `10.0.0.${++address}`) =>
    t.http().post('/api/v1/auth/token').set('x-forwarded-for', from).send({ username, password });

  it('backs off a username after its failures, from any address, with the same answer whether it exists or not', async () => {
    const alice = await t.createUser('throttled.alice');
    for (const name of [alice.username, 'no.such.user']) {
      for (let i = 0; i < 3; i++) expect((await login(name, 'wrong-password')).status).toBe(401);
    }
    const real = await login(alice.username, 'user-password-1'); // even the right password waits
    const ghost = await login('no.such.user', 'user-password-1');
    for (const res of [real, ghost]) {
      expect(res.status).toBe(429);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('1');
    }
    expect({ ...real.body, request_id: 'x' }).toEqual({ ...ghost.body, request_id: 'x' });
    expect(real.body).toMatchObject({ status: 429, code: 'LOGIN_THROTTLED' });
    // The back-off ends (no sleep: polled), then doubles with the next failure.
    await poll(() => login(alice.username, 'wrong-password'), (res) => res.status === 401, 'the back-off ends', { timeoutMs: 5_000, intervalMs: 100 });
    const doubled = await login(alice.username, 'user-password-1');
    expect(doubled.status).toBe(429);
    expect(doubled.headers['retry-after']).toBe('2');
    await poll(() => login(alice.username, 'user-password-1'), (res) => res.status === 200, 'the right password works again', { timeoutMs: 6_000, intervalMs: 200 });
    // A success clears the username's count.
    expect((await login(alice.username, 'wrong-password')).status).toBe(401);
  });

  it('backs off a client address that fails across many usernames, and only that address', async () => {
    for (let i = 0; i < 6; i++) expect((await login(`spray.${i}`, 'wrong-password', '192.0.2.7')).status).toBe(401);
    const res = await login('spray.new', 'wrong-password', '192.0.2.7');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await login('spray.new', 'wrong-password', '192.0.2.8')).status).toBe(401);
  });
});
