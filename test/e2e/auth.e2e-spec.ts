import type { KeyObject } from 'node:crypto';
import { JWT_KEY } from '../../src/modules/auth/jwt-secret';
import { ADMIN, createTestApp, TestApp } from '../utils/test-app';
import { forgeToken, wellSignedButInvalidTokens } from '../utils/tokens';

const forge = (header: object, payload: object) => forgeToken(payload, 'not-the-secret', header);

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lets the admin from the settings log in and see itself', async () => {
    const res = await t.http().post('/api/v1/auth/token').send(ADMIN).expect(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    const me = await t.http().get('/api/v1/users/me').set('authorization', `Bearer ${res.body.access_token}`).expect(200);
    expect(me.body).toEqual({ id: expect.any(String), username: 'admin', role: 'admin', created_at: expect.any(String) });
  });

  it('accepts the OAuth2 password form that Swagger UI sends', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: ADMIN.username, password: ADMIN.password, scope: '' })
      .expect(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it('answers the same 401 for an unknown user and a wrong password', async () => {
    const unknown = await t.http().post('/api/v1/auth/token').send({ username: 'nobody', password: 'whatever-123' }).expect(401);
    const wrong = await t.http().post('/api/v1/auth/token').send({ username: 'admin', password: 'whatever-123' }).expect(401);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    expect({ ...unknown.body, request_id: 'x' }).toEqual({ ...wrong.body, request_id: 'x' });
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('lets an admin create a user who can then log in, never returning the password', async () => {
    const admin = await t.adminToken();
    const res = await t
      .http()
      .post('/api/v1/users')
      .set('authorization', `Bearer ${admin}`)
      .send({ username: 'alice', password: 'alice-password' })
      .expect(201);
    expect(res.body).toEqual({ id: expect.any(String), username: 'alice', role: 'user', created_at: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/);
    const token = await t.tokenFor('alice', 'alice-password');
    const me = await t.http().get('/api/v1/users/me').set('authorization', `Bearer ${token}`).expect(200);
    expect(me.body.role).toBe('user');
  });

  it('answers 409 for a username that is taken, whatever its case', async () => {
    const admin = await t.adminToken();
    await t.http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).send({ username: 'bob', password: 'bob-password-1' }).expect(201);
    const res = await t
      .http()
      .post('/api/v1/users')
      .set('authorization', `Bearer ${admin}`)
      .send({ username: 'BOB', password: 'bob-password-2' })
      .expect(409);
    expect(res.body.code).toBe('USERNAME_TAKEN');
  });

  it('answers 422 naming each weak or invalid field', async () => {
    const admin = await t.adminToken();
    const res = await t
      .http()
      .post('/api/v1/users')
      .set('authorization', `Bearer ${admin}`)
      .send({ username: 'a b', password: 'short', role: 'root' })
      .expect(422);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['password', 'role', 'username']);
  });

  it('refuses user creation to a plain user with 403', async () => {
    const user = await t.createUser();
    const res = await t
      .http()
      .post('/api/v1/users')
      .set('authorization', `Bearer ${user.token}`)
      .send({ username: 'mallory', password: 'mallory-password' })
      .expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  describe('refuses bad tokens with 401', () => {
    const cases: [string, () => Promise<string | undefined>][] = [
      ['no Authorization header', async () => undefined],
      ['a malformed token', async () => 'Bearer not.a.jwt'],
      ['a token signed with another secret', async () => `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'x', role: 'admin', exp: 9e9 })}`],
      [
        'an alg:none token',
        async () => {
          const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
          return `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', role: 'admin', exp: 9e9 })}.`;
        },
      ],
      ['an expired token', async () => `Bearer ${forge({ alg: 'HS256' }, { sub: 'x', role: 'user', exp: 1 })}`],
      ['another scheme', async () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ];
    it.each(cases)('%s', async (_, header) => {
      const h = await header();
      const req = t.http().get('/api/v1/users/me');
      const res = await (h ? req.set('authorization', h) : req).expect(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    });

    it('refuses a well-signed token without exp, with a non-UUID sub, or naming an unknown user', async () => {
      const user = await t.createUser();
      for (const [what, token] of wellSignedButInvalidTokens(t.app, user)) {
        const res = await t.http().get('/api/v1/users/me').set('authorization', `Bearer ${token}`);
        expect({ what, status: res.status, body: res.body }).toMatchObject({
          what,
          status: 401,
          body: { code: 'UNAUTHORIZED', detail: 'The bearer token is invalid or expired.' },
        });
      }
    });
  });

  it('reads the role from the user, not from the token', async () => {
    const user = await t.createUser();
    const key = t.app.get<KeyObject>(JWT_KEY, { strict: false });
    // The jti of a token really issued to the user (a token without a recorded jti is refused).
    const { jti } = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString('utf8')) as { jti: string };
    const claimsAdmin = forgeToken({ sub: user.id, role: 'admin', username: user.username, exp: Math.floor(Date.now() / 1000) + 600, jti }, key);
    const me = await t.http().get('/api/v1/users/me').set('authorization', `Bearer ${claimsAdmin}`).expect(200);
    expect(me.body).toMatchObject({ id: user.id, role: 'user' });
    await t.http().post('/api/v1/users').set('authorization', `Bearer ${claimsAdmin}`).send({ username: 'sneaky', password: 'sneaky-password-1' }).expect(403);
  });
});

describe('auth rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 after too many token attempts', async () => {
    for (let i = 0; i < 3; i++) {
      await t.http().post('/api/v1/auth/token').send({ username: 'x', password: 'y' }).expect(401);
    }
    const res = await t.http().post('/api/v1/auth/token').send(ADMIN).expect(429);
    expect(res.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });
});
