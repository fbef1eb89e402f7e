import { createHmac, randomUUID, type KeyObject } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { JWT_KEY } from '../../src/modules/auth/jwt-secret';

/** An HS256 JWT with exactly these claims, signed with `secret` (no `exp` unless given). */
export function forgeToken(payload: object, secret: string | KeyObject = 'not-the-secret', header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/**
 * Tokens carrying the app's own valid signature but claims it must refuse: the signature alone
 * does not make a token valid.
 */
export function wellSignedButInvalidTokens(app: INestApplicationContext, user: { id: string; username: string }): [string, string][] {
  const key = app.get<KeyObject>(JWT_KEY, { strict: false });
  return [
    ['without exp', forgeToken({ sub: user.id, role: 'user', username: user.username }, key)],
    ['with a sub that is not a UUID', forgeToken({ sub: 'not-a-uuid', role: 'user', username: user.username, exp: inAnHour() }, key)],
    ['naming a user that does not exist', forgeToken({ sub: randomUUID(), role: 'user', username: 'ghost', exp: inAnHour() }, key)],
  ];
}
