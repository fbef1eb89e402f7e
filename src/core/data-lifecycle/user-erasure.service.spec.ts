import type { MessagePublisher } from '../messaging/message-publisher';
import { DataLifecycleRegistry } from './feature-data-lifecycle';
import { USERS_ERASE } from './user-erasure.messages';
import { UserErasureService } from './user-erasure.service';
import type { UserErasuresRepository } from './user-erasures.repository';

function setup(recorded = true) {
  const calls: string[] = [];
  const erasures = {
    request: jest.fn(async () => recorded),
    find: jest.fn(async () => (recorded ? { userId: 'u1', requestId: null } : null)),
    touch: jest.fn(async () => void calls.push('touch')),
    deleteUser: jest.fn(async () => {
      calls.push('delete user');
      return true;
    }),
  };
  const publisher = { publish: jest.fn(async () => undefined) };
  const registry = new DataLifecycleRegistry();
  for (const name of ['jobs', 'tasks']) registry.register({ name, eraseOwner: jest.fn(async () => void calls.push(`erase ${name}`)) });
  const service = new UserErasureService(erasures as unknown as UserErasuresRepository, registry, publisher as unknown as MessagePublisher);
  return { service, erasures, publisher, calls };
}

describe('UserErasureService', () => {
  it('records the erasure, then queues it with the request id', async () => {
    const { service, erasures, publisher } = setup();

    await service.requestErasure('u1', 'req-1');

    expect(erasures.request).toHaveBeenCalledWith('u1', 'req-1');
    expect(publisher.publish).toHaveBeenCalledWith(USERS_ERASE, { user_id: 'u1' }, { requestId: 'req-1' });
  });

  it('answers USER_NOT_FOUND for an unknown user and queues nothing', async () => {
    const { service, publisher } = setup(false);

    await expect(service.requestErasure('nobody')).rejects.toMatchObject({ code: 'USER_NOT_FOUND', kind: 'not_found' });
    expect(publisher.publish).not.toHaveBeenCalled();
  });

  it('still succeeds when the broker is down: the sweeper publishes the recorded erasure later', async () => {
    const { service, publisher } = setup();
    publisher.publish.mockRejectedValueOnce(new Error('broker down'));

    await expect(service.requestErasure('u1')).resolves.toBeUndefined();
  });

  it('erases feature by feature, heart-beating between them, and deletes the user last', async () => {
    const { service, calls } = setup();

    expect(await service.erase('u1')).toBe('erased');

    expect(calls).toEqual(['erase jobs', 'touch', 'erase tasks', 'touch', 'delete user']);
  });

  it('does nothing for an erasure already finished (a duplicate delivery)', async () => {
    const { service, calls } = setup(false);

    expect(await service.erase('u1')).toBe('nothing-to-do');
    expect(calls).toEqual([]);
  });

  it('stops between features on shutdown with a retryable error, leaving the user row for the resumed erasure', async () => {
    const { service, calls } = setup();
    const controller = new AbortController();
    controller.abort();

    await expect(service.erase('u1', controller.signal)).rejects.toMatchObject({ code: 'ERASURE_INTERRUPTED', retryable: true });
    expect(calls).not.toContain('delete user');
  });
});
