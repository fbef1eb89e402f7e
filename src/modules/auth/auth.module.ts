import type { KeyObject } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessTokenVerifier } from '../../core/auth/access-token-verifier';
import { AppConfig } from '../../core/config/app-config';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { UserEntity } from './entities/user.entity';
import { JwtAuthGuard, RolesGuard } from './jwt-auth.guard';
import { JWT_KEY, JwtKeyModule } from './jwt-secret';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';
import { TOKEN_ALGORITHM, TokenService } from './token.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * Users, roles and tokens. Guards are global: every route needs a token unless @Public(). Provides
 * core's AccessTokenVerifier (the realtime handshakes).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity]),
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
  controllers: [AuthController, UsersController],
  providers: [
    UsersRepository,
    PasswordHasher,
    TokenService,
    { provide: AccessTokenVerifier, useExisting: TokenService },
    JwtStrategy,
    UsersService,
    AdminBootstrapService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [UsersService, TokenService, AccessTokenVerifier],
})
export class AuthModule {}
