import { Logger } from '@nestjs/common';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  const quiet = { warn: jest.fn() } as unknown as Logger;

  it('never runs two rounds at once', async () => {
    let running = 0;
    let most = 0;
    let release!: () => void;
    const task = new PeriodicTask('t', 1000, async () => {
      most = Math.max(most, ++running);
      await new Promise<void>((r) => (release = r));
      running--;
    }, quiet);
    const first = task.runOnce();
    const second = task.runOnce();
    expect(second).toBe(first);
    release();
    await first;
    expect(most).toBe(1);
  });

  it('logs a failed round instead of rejecting, and runs again next time', async () => {
    const work = jest.fn().mockRejectedValueOnce(new Error('database down')).mockResolvedValueOnce(undefined);
    const task = new PeriodicTask('t', 1000, work, quiet);
    await expect(task.runOnce()).resolves.toBeUndefined();
    expect(quiet.warn).toHaveBeenCalledWith('t failed: database down');
    await task.runOnce();
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('runs on its interval once started, and stop() waits for the round under way', async () => {
    jest.useFakeTimers();
    try {
      const work = jest.fn().mockResolvedValue(undefined);
      const task = new PeriodicTask('t', 1000, work, quiet);
      task.start();
      for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(1000);
      expect(work).toHaveBeenCalledTimes(3);
      await task.stop();
      await jest.advanceTimersByTimeAsync(3000);
      expect(work).toHaveBeenCalledTimes(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
