import { Injectable, Logger } from '@nestjs/common';
import { TokenRevocations } from '../../core/auth/token-revocations';
import { Principal, Role } from '../../core/http/access.decorators';
import { AccessTokensRepository } from './access-tokens.repository';
import { AuthError } from './auth.errors';
import { UserEntity } from './entities/user.entity';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { UsersRepository } from './users.repository';

/** Who did something, for the audit log. */
export interface Actor {
  user: Principal;
  requestId: string | null;
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly accessTokens: AccessTokensRepository,
    private readonly throttle: LoginThrottleService,
    private readonly revocations: TokenRevocations,
  ) {}

  async createUser(input: { username: string; password: string; role?: Role }, actor?: Actor): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(input.password);
    const role = input.role ?? 'user';
    const user = await this.users.insert(
      { username: input.username, passwordHash, role },
      actor &&
        ((created) => ({
          action: 'user.created',
          actorId: actor.user.id,
          actorUsername: actor.user.username,
          targetId: created.id,
          targetUsername: created.username,
          requestId: actor.requestId,
          details: { role },
        })),
    );
    if (!user) throw AuthError.usernameTaken(input.username);
    return user;
  }

  async getUser(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw AuthError.userNotFound();
    return user;
  }

  /**
   * Throttled per username and per client address before the password is even checked, so a
   * throttled guess tells nothing; unknown users count like known ones.
   */
  async issueToken(username: string, password: string, address = 'unknown'): Promise<{ token: string; expiresInS: number }> {
    await this.throttle.check(username, address);
    const user = await this.users.findByUsername(username);
    const valid = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !valid) {
      await this.throttle.recordFailure(username, address);
      throw AuthError.invalidCredentials();
    }
    if (user.disabled) throw AuthError.accountDisabled();
    await this.throttle.recordSuccess(username);
    await this.users.touchLastLogin(user.id);
    return this.tokens.issue(user);
  }

  verifyToken(token: string): Promise<Principal> {
    return this.tokens.verify(token);
  }

  /** The caller's own password; every other token of theirs is revoked, the one in use stays valid. */
  async changeOwnPassword(me: Principal, currentPassword: string, newPassword: string, address = 'unknown'): Promise<void> {
    await this.throttle.check(me.username, address);
    const user = await this.getUser(me.id);
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      await this.throttle.recordFailure(me.username, address);
      throw AuthError.wrongCurrentPassword();
    }
    await this.users.changePassword(me.id, await this.hasher.hash(newPassword), me.tokenId);
    await this.revocations.announce({ userId: me.id, exceptTokenId: me.tokenId });
  }

  /** Revokes the token the caller presented. */
  async logout(me: Principal): Promise<void> {
    if (!me.tokenId) return;
    await this.accessTokens.revoke(me.tokenId);
    await this.revocations.announce({ userId: me.id, tokenId: me.tokenId });
  }

  /** Creates the admin if missing; an existing account of that name is made admin with the given password. */
  async ensureAdmin(username: string, password: string): Promise<'created' | 'updated'> {
    const existing = await this.users.findByUsername(username);
    if (!existing) {
      const created = await this.users.insert({ username, passwordHash: await this.hasher.hash(password), role: 'admin' });
      if (created) {
        this.logger.log(`created admin "${username}"`);
        return 'created';
      }
      return this.ensureAdmin(username, password); // another process created it meanwhile
    }
    if (existing.role !== 'admin' || existing.disabled || !(await this.hasher.verify(existing.passwordHash, password))) {
      await this.users.updatePasswordAndRole(existing.id, await this.hasher.hash(password), 'admin');
      this.logger.log(`updated admin "${username}"`);
    }
    return 'updated';
  }
}
