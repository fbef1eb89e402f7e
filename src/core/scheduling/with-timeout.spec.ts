import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers what the work answers in time, and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000, 'too slow')).resolves.toBe(42);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('passes the work’s own failure through', async () => {
    await expect(withTimeout(Promise.reject(new Error('broken')), 1000, 'too slow')).rejects.toThrow('broken');
  });

  it('rejects with the message once the time is up', async () => {
    const late = withTimeout(new Promise(() => undefined), 1000, 'the broker did not answer');
    jest.advanceTimersByTime(1000);
    await expect(late).rejects.toThrow('the broker did not answer');
  });
});
