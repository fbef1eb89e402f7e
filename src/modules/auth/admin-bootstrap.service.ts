import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { UsersService } from './users.service';

/** The first admin comes from ADMIN_USERNAME / ADMIN_PASSWORD, created at boot if missing. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.admin) await this.users.ensureAdmin(this.config.admin.username, this.config.admin.password);
  }
}
