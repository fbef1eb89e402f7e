import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from '../../core/http/access.decorators';
import { JWT_KEY } from './jwt-secret';
import { TOKEN_ALGORITHM, TokenService } from './token.service';

/**
 * passport-jwt for REST and GraphQL: it reads the bearer token and checks its signature and expiry
 * with the token service's key and pinned algorithm; the token service then decides the rest
 * (`exp` present, `sub` an existing user's UUID), exactly as for the realtime handshakes.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly tokens: TokenService,
    @Inject(JWT_KEY) key: KeyObject,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: key as unknown as string, // jsonwebtoken takes a KeyObject; the typings predate it
      algorithms: [TOKEN_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  validate(claims: unknown): Promise<Principal> {
    return this.tokens.principalFor(claims);
  }
}
