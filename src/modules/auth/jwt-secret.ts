import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';

/**
 * JWT_SECRET when set (required in production). Otherwise a secret generated once and kept
 * under DATA_DIR, so tokens survive a restart of the embedded default.
 */
export async function resolveJwtSecret(config: AppConfig): Promise<string> {
  if (config.jwt.secret) return config.jwt.secret;
  const file = config.jwt.secretFile;
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(48).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  // 'wx' fails if another process created it meanwhile; then use theirs.
  await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  new Logger('Auth').warn(`JWT_SECRET is not set: using a generated secret kept in ${file}`);
  return (await readFile(file, 'utf8')).trim();
}

export const JWT_KEY = Symbol('JWT_KEY');

/**
 * The signing key, resolved once. A KeyObject, not a string: jsonwebtoken first tries a string as a
 * PEM public key on every verify (and fails), which cost two thirds of an authenticated request's
 * CPU here. Shared by JwtModule (signing), passport-jwt (REST) and TokenService (handshakes).
 */
@Module({
  providers: [
    {
      provide: JWT_KEY,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<KeyObject> => createSecretKey(Buffer.from(await resolveJwtSecret(config), 'utf8')),
    },
  ],
  exports: [JWT_KEY],
})
export class JwtKeyModule {}
