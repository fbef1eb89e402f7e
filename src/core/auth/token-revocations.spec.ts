import { randomUUID } from 'node:crypto';
import { InProcessBroadcaster } from '../messaging/broadcast';
import { isRevoked, parseRevocation, REVOCATIONS_EXCHANGE, TokenRevocations, type Revocation } from './token-revocations';

describe('TokenRevocations', () => {
  const user = randomUUID();
  const token = randomUUID();
  const other = randomUUID();

  it('reaches the local listeners and every subscriber of the channel', async () => {
    const broadcaster = new InProcessBroadcaster();
    const a = new TokenRevocations(broadcaster);
    const b = new TokenRevocations(broadcaster);
    await a.onApplicationBootstrap();
    await b.onApplicationBootstrap();
    const seenByB: Revocation[] = [];
    b.onRevoked((r) => seenByB.push(r));
    await a.announce({ userId: user, tokenId: token });
    expect(seenByB).toEqual([{ userId: user, tokenId: token, exceptTokenId: undefined }]);
    await a.beforeApplicationShutdown();
    await b.beforeApplicationShutdown();
  });

  it('ignores what is not a revocation on the channel', async () => {
    const broadcaster = new InProcessBroadcaster();
    const revocations = new TokenRevocations(broadcaster);
    await revocations.onApplicationBootstrap();
    const seen = jest.fn();
    revocations.onRevoked(seen);
    for (const body of ['nope', '{}', JSON.stringify({ user_id: 'x' }), JSON.stringify({ user_id: user, token_id: 5 })]) {
      await broadcaster.publish(REVOCATIONS_EXCHANGE, body);
    }
    expect(seen).not.toHaveBeenCalled();
  });

  it.each([
    [{ userId: user }, user, token, true],
    [{ userId: user }, other, token, false],
    [{ userId: user, tokenId: token }, user, token, true],
    [{ userId: user, tokenId: token }, user, other, false],
    [{ userId: user, exceptTokenId: token }, user, token, false],
    [{ userId: user, exceptTokenId: token }, user, other, true],
  ])('isRevoked(%j, ...) for the user %s and token %s is %s', (revocation, userId, tokenId, expected) => {
    expect(isRevoked(revocation, userId, tokenId)).toBe(expected);
  });

  it('parses what announce publishes', () => {
    expect(parseRevocation(JSON.stringify({ user_id: user, except_token_id: token }))).toEqual({ userId: user, tokenId: undefined, exceptTokenId: token });
  });
});
