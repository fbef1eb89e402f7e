import { Injectable, Logger } from '@nestjs/common';
import { Principal, Role } from '../../core/http/access.decorators';
import { AuthError } from './auth.errors';
import { UserEntity } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
  ) {}

  async createUser(input: { username: string; password: string; role?: Role }): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(input.password);
    const user = await this.users.insert({ username: input.username, passwordHash, role: input.role ?? 'user' });
    if (!user) throw AuthError.usernameTaken(input.username);
    return user;
  }

  async getUser(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw AuthError.userNotFound();
    return user;
  }

  async issueToken(username: string, password: string): Promise<{ token: string; expiresInS: number }> {
    const user = await this.users.findByUsername(username);
    const valid = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !valid) throw AuthError.invalidCredentials();
    return this.tokens.issue(user);
  }

  verifyToken(token: string): Promise<Principal> {
    return this.tokens.verify(token);
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
    if (existing.role !== 'admin' || !(await this.hasher.verify(existing.passwordHash, password))) {
      await this.users.updatePasswordAndRole(existing.id, await this.hasher.hash(password), 'admin');
      this.logger.log(`updated admin "${username}"`);
    }
    return 'updated';
  }
}
