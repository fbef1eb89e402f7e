import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUUID } from 'class-validator';
import { Principal, Role } from '../../core/http/access.decorators';
import { AuthError } from './auth.errors';

interface Claims {
  sub: string;
  role: Role;
  username: string;
  exp: number;
}

// Pinned: a token signed with any other algorithm (or `none`) is refused.
const ALGORITHM = 'HS256';

@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  async issue(user: Principal): Promise<{ token: string; expiresInS: number; }> {
    const token = await this.jwt.signAsync({ sub: user.id, role: user.role, username: user.username }, { algorithm: ALGORITHM });
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(token);
    return { token, expiresInS: exp - iat };
  }

  /** Verifies a token from a header or a WebSocket query; throws UNAUTHORIZED when it is not valid now. */
  async verify(token: string): Promise<Principal> {
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims>(token, { algorithms: [ALGORITHM] });
    } catch {
      throw AuthError.unauthenticated('The bearer token is invalid or expired.');
    }
    // A token signed by us but with other claim types (an old format, a bug) must not reach a
    // query: a `sub` that is not a UUID would make every owner-scoped lookup fail in PostgreSQL.
    if (typeof claims.sub !== 'string' || !isUUID(claims.sub) || (claims.role !== 'user' && claims.role !== 'admin')) {
      throw AuthError.unauthenticated('The bearer token is invalid or expired.');
    }
    return { id: claims.sub, role: claims.role, username: claims.username };
  }

  /** Seconds until the token expires (for closing long-lived connections on time). */
  expiresAt(token: string): number | undefined {
    return this.jwt.decode<{ exp?: number } | null>(token)?.exp;
  }
}
