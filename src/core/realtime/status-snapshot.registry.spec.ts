import type { StatusSnapshot } from './status-event';
import { StatusSnapshotRegistry } from './status-snapshot.registry';

const snapshot = (id: string): StatusSnapshot => ({ type: 'status', resource: 'ecg', id, status: 'queued', at: '2026-11-22T10:00:00.000Z' });

describe('StatusSnapshotRegistry', () => {
  it("asks the resource's provider with the owner and the id", async () => {
    const registry = new StatusSnapshotRegistry();
    const provider = jest.fn(async (_owner: string, id: string) => (id === 'mine' ? snapshot('mine') : null));
    registry.register('ecg', provider);

    expect(await registry.snapshot('ecg', 'user-1', 'mine')).toEqual(snapshot('mine'));
    expect(await registry.snapshot('ecg', 'user-1', 'theirs')).toBeNull();
    expect(provider).toHaveBeenCalledWith('user-1', 'mine');
  });

  it('answers null for a resource type nobody registered', async () => {
    const registry = new StatusSnapshotRegistry();
    expect(registry.has('job')).toBe(false);
    expect(await registry.snapshot('job', 'user-1', 'x')).toBeNull();
  });

  it('refuses a second provider for the same resource type', () => {
    const registry = new StatusSnapshotRegistry();
    registry.register('ecg', async () => null);
    expect(() => registry.register('ecg', async () => null)).toThrow(/already registered/);
  });

  it('fails rather than hand out a snapshot of another resource than the one asked for', async () => {
    const registry = new StatusSnapshotRegistry();
    registry.register('ecg', async () => snapshot('other'));
    await expect(registry.snapshot('ecg', 'user-1', 'asked')).rejects.toThrow(/answered for ecg "other"/);
  });
});
