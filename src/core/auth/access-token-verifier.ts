import type { Principal } from '../http/access.decorators';

/**
 * What core needs from authentication: the realtime handshakes check the same bearer tokens as
 * REST. Declared here, provided by the auth feature (TokenService), and handed to core by the
 * composition root, so core never imports a feature.
 */
export abstract class AccessTokenVerifier {
  /** The caller a token names; throws when the token is not valid now (signature, expiry, claims, user). */
  abstract verify(token: string): Promise<Principal>;
  /** When the token expires (epoch seconds), without verifying it. */
  abstract expiresAt(token: string): number | undefined;
}
