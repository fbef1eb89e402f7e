import type { KeyObject } from 'node:crypto';
import { Module, type DynamicModule, type ForwardReference, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessTokenVerifier } from '../../core/auth/access-token-verifier';
import { TokenRevocations } from '../../core/auth/token-revocations';
import { AppConfig } from '../../core/config/app-config';
import { AccessTokensRepository } from './access-tokens.repository';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuditEventsRepository } from './audit-events.repository';
import { AuthController } from './auth.controller';
import { AccessTokenEntity } from './entities/access-token.entity';
import { AuditEventEntity } from './entities/audit-event.entity';
import { LoginThrottleEntity } from './entities/login-throttle.entity';
import { UserEntity } from './entities/user.entity';
import { JwtAuthGuard, RolesGuard } from './jwt-auth.guard';
import { JWT_KEY, JwtKeyModule } from './jwt-secret';
import { JwtStrategy } from './jwt.strategy';
import { LoginThrottleService } from './login-throttle.service';
import { LoginThrottlesRepository } from './login-throttles.repository';
import { PasswordHasher } from './password-hasher';
import { TOKEN_ALGORITHM, TokenService } from './token.service';
import { DeleteUserRowErasure, UserErasure } from './user-erasure';
import { UserAdminService } from './user-admin.service';
import { AuditEventsController, UsersAdminController } from './users-admin.controller';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Binds the erasure `DELETE /api/v1/users/{id}` hands a user to (default: DeleteUserRowErasure). */
export interface AuthModuleOptions {
  erasure?: { imports?: (Type | DynamicModule | ForwardReference)[]; useExisting: Type<UserErasure> | string | symbol };
}

/**
 * Users, roles, tokens and their revocation, login throttling and the audit log. Guards are
 * global: every route needs a token unless @Public(). Provides core's AccessTokenVerifier and
 * TokenRevocations (the realtime handshakes and the closing of revoked connections).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, AccessTokenEntity, LoginThrottleEntity, AuditEventEntity]),
    JwtKeyModule,
    JwtModule.registerAsync({
      imports: [JwtKeyModule],
      inject: [AppConfig, JWT_KEY],
      useFactory: (config: AppConfig, key: KeyObject) => ({
        secret: key as unknown as string, // jsonwebtoken takes a KeyObject; the typings predate it
        signOptions: { expiresIn: config.jwt.expiresInS, algorithm: TOKEN_ALGORITHM },
        verifyOptions: { algorithms: [TOKEN_ALGORITHM] },
      }),
    }),
    PassportModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => [{ ttl: config.authRateLimit.windowMs, limit: config.authRateLimit.limit }],
    }),
  ],
  controllers: [AuthController, UsersController, UsersAdminController, AuditEventsController], // `users/me` before `users/:id`
  providers: [
    UsersRepository,
    AccessTokensRepository,
    LoginThrottlesRepository,
    AuditEventsRepository,
    TokenRevocations,
    LoginThrottleService,
    PasswordHasher,
    TokenService,
    { provide: AccessTokenVerifier, useExisting: TokenService },
    JwtStrategy,
    UsersService,
    UserAdminService,
    { provide: UserErasure, useClass: DeleteUserRowErasure },
    AdminBootstrapService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [UsersService, TokenService, AccessTokenVerifier, TokenRevocations, UserErasure],
})
export class AuthModule {
  /**
   * The same module with another UserErasure (the data lifecycle's). Import the one object this
   * returns everywhere AuthModule is needed (AppModule, RealtimeGatewayModule.forRoot), or Nest
   * builds two auth modules.
   */
  static forRoot(options: AuthModuleOptions = {}): DynamicModule {
    if (!options.erasure) return { module: AuthModule };
    return {
      module: AuthModule,
      imports: options.erasure.imports ?? [],
      providers: [{ provide: UserErasure, useExisting: options.erasure.useExisting }],
    };
  }
}
