import { Injectable } from '@nestjs/common';
import { UsersRepository } from './users.repository';

/**
 * What `DELETE /api/v1/users/{id}` asks for once the user is disabled and their tokens revoked:
 * erase every row and object of theirs, then the account. Answers once the erasure is
 * requested (202), not done. Bind another implementation with `AuthModule.forRoot({ erasure })`.
 */
export abstract class UserErasure {
  abstract requestErasure(userId: string, requestId: string): Promise<void>;
}

/** The default: deletes the user row; the owned rows go with it (ON DELETE CASCADE), stored objects do not. */
@Injectable()
export class DeleteUserRowErasure extends UserErasure {
  constructor(private readonly users: UsersRepository) {
    super();
  }

  async requestErasure(userId: string): Promise<void> {
    await this.users.delete(userId);
  }
}
