import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../core/config/app-config';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { UserEntity } from './entities/user.entity';
import { JwtAuthGuard, RolesGuard } from './jwt-auth.guard';
import { resolveJwtSecret } from './jwt-secret';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users, roles and tokens. Guards are global: every route needs a token unless @Public(). */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => ({
        // A KeyObject, not a string: jsonwebtoken first tries a string as a PEM public key on every
        // verify (and fails), which cost two thirds of an authenticated request's CPU here.
        secret: createSecretKey(Buffer.from(await resolveJwtSecret(config), 'utf8')) as unknown as string,
        signOptions: { expiresIn: config.jwt.expiresInS, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
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
    UsersService,
    AdminBootstrapService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [UsersService, TokenService],
})
export class AuthModule {}
