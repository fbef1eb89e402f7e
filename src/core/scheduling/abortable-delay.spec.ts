import { getEventListeners } from 'node:events';
import { abortableDelay } from './abortable-delay';

describe('abortableDelay', () => {
  it('leaves no abort listener behind once the timer fired, however often it is called', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) await abortableDelay(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves at once when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = abortableDelay(60_000, controller.signal);
    controller.abort();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
