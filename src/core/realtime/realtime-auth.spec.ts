import type { AccessTokenVerifier } from '../auth/access-token-verifier';
import { onTokenExpiry, RealtimeAuth } from './realtime-auth';

describe('RealtimeAuth', () => {
  const tokens = {
    verify: jest.fn(),
    expiresAt: jest.fn(),
  };
  const auth = new RealtimeAuth(tokens as unknown as AccessTokenVerifier);

  beforeEach(() => jest.resetAllMocks());

  it('answers the user and the expiry in epoch milliseconds', async () => {
    tokens.verify.mockResolvedValue({ id: 'u1', username: 'alice', role: 'user' });
    tokens.expiresAt.mockReturnValue(1_800_000_000);

    expect(await auth.authenticate('jwt')).toEqual({ user: { id: 'u1', username: 'alice', role: 'user' }, expiresAt: 1_800_000_000_000 });
    expect(tokens.verify).toHaveBeenCalledWith('jwt');
  });

  it.each([undefined, '', 42, { token: 'x' }])('refuses a missing or non-string token (%p) without verifying it', async (token) => {
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'A token is required.' });
    expect(tokens.verify).not.toHaveBeenCalled();
  });

  it('refuses a token the token service rejects (bad signature, expired)', async () => {
    tokens.verify.mockRejectedValue(new Error('The bearer token is invalid or expired.'));
    await expect(auth.authenticate('jwt')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'The token is invalid or expired.' });
  });

  it('refuses an admin token with FORBIDDEN', async () => {
    tokens.verify.mockResolvedValue({ id: 'a1', username: 'admin', role: 'admin' });
    await expect(auth.authenticate('jwt')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('onTokenExpiry', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-22T10:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('calls back when the token expires, not before', () => {
    const expire = jest.fn();
    onTokenExpiry(Date.now() + 60_000, expire);

    jest.advanceTimersByTime(59_999);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
  });

  it('waits out an expiry beyond the longest timer Node allows (about 24.8 days)', () => {
    const expire = jest.fn();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    onTokenExpiry(Date.now() + thirtyDays, expire);

    jest.advanceTimersByTime(thirtyDays - 1);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
  });

  it('calls back at once for a token that has already expired', () => {
    const expire = jest.fn();
    onTokenExpiry(Date.now() - 1, expire);
    expect(expire).toHaveBeenCalledTimes(1);
  });

  it('never calls back once cancelled, nor for a token without expiry', () => {
    const expire = jest.fn();
    onTokenExpiry(Date.now() + 1_000, expire)();
    onTokenExpiry(undefined, expire);
    jest.advanceTimersByTime(10_000);
    expect(expire).not.toHaveBeenCalled();
  });
});
