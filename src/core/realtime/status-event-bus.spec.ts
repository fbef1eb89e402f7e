import { Logger } from '@nestjs/common';
import { Broadcaster, InProcessBroadcaster, type BroadcastSubscribeOptions } from '../messaging/broadcast';
import type { StatusEvent } from './status-event';
import { STATUS_EXCHANGE, StatusEventBus } from './status-event-bus';
import { StatusSnapshotRegistry } from './status-snapshot.registry';
import { StatusEventRelay } from './status-event.relay';

const update = { resource: 'job' as const, id: 'job-1', owner: 'user-1', status: 'processing', progress: 40 };

describe('StatusEventBus and StatusEventRelay', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('reaches the local listeners of a gateway through the broadcast channel, stamped with the time', async () => {
    const broadcaster = new InProcessBroadcaster();
    const bus = new StatusEventBus(broadcaster);
    const snapshots = new StatusSnapshotRegistry();
    snapshots.register('job', async () => null);
    const relay = new StatusEventRelay(broadcaster, bus, snapshots);
    await relay.onApplicationBootstrap();
    const received: StatusEvent[] = [];
    bus.subscribe((event) => received.push(event));

    await bus.publish(update);

    expect(received).toEqual([{ type: 'status', ...update, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) }]);
    await relay.beforeApplicationShutdown();
    await bus.publish(update);
    expect(received).toHaveLength(1);
  });

  it('only publishes where no relay is bound (a worker): nothing is delivered locally', async () => {
    const broadcaster = new InProcessBroadcaster();
    const publish = jest.spyOn(broadcaster, 'publish');
    const bus = new StatusEventBus(broadcaster);
    const received: StatusEvent[] = [];
    bus.subscribe((event) => received.push(event));

    await bus.publish(update);

    expect(publish).toHaveBeenCalledWith(STATUS_EXCHANGE, expect.stringContaining('"status":"processing"'));
    expect(received).toEqual([]);
  });

  it('ignores a message on the exchange that is not a status event', async () => {
    let deliver!: (body: string) => void;
    const broadcaster = {
      subscribe: jest.fn(async (_channel: string, listener: (body: string) => void) => {
        deliver = listener;
        return { close: async () => undefined };
      }),
    } as unknown as Broadcaster;
    const bus = new StatusEventBus(broadcaster);
    const snapshots = new StatusSnapshotRegistry();
    snapshots.register('job', async () => null);
    await new StatusEventRelay(broadcaster, bus, snapshots).onApplicationBootstrap();
    const received: StatusEvent[] = [];
    bus.subscribe((event) => received.push(event));

    for (const body of ['not json', '42', '{"type":"status","resource":"user","id":"1","owner":"o","status":"x","at":"t"}', '{"type":"status","resource":"job","id":"1","status":"x","at":"t"}']) {
      deliver(body);
    }
    deliver(JSON.stringify({ type: 'status', ...update, at: '2026-11-22T10:00:00.000Z' }));

    expect(received).toEqual([expect.objectContaining({ id: 'job-1' })]);
    expect(Logger.prototype.warn).toHaveBeenCalledTimes(4);
  });

  it('asks the channels to resync when the relay was bound again after a reconnect', async () => {
    let options: BroadcastSubscribeOptions = {};
    const broadcaster = {
      subscribe: jest.fn(async (_channel: string, _listener: unknown, o: BroadcastSubscribeOptions) => {
        options = o;
        return { close: async () => undefined };
      }),
    } as unknown as Broadcaster;
    const bus = new StatusEventBus(broadcaster);
    const snapshots = new StatusSnapshotRegistry();
    snapshots.register('job', async () => null);
    await new StatusEventRelay(broadcaster, bus, snapshots).onApplicationBootstrap();
    const resync = jest.fn();
    bus.onResync(resync);

    options.onRebound?.();

    expect(resync).toHaveBeenCalledTimes(1);
  });

  it('still delivers to the other listeners when one throws', () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const bus = new StatusEventBus(new InProcessBroadcaster());
    const received: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((event) => received.push(event.id));

    bus.deliver({ type: 'status', ...update, at: '2026-11-22T10:00:00.000Z' });

    expect(received).toEqual(['job-1']);
  });
});
