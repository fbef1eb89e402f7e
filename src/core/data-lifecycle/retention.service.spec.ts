import { AppConfig } from '../config/app-config';
import { DataLifecycleRegistry, type FeatureDataLifecycle } from './feature-data-lifecycle';
import { RetentionService } from './retention.service';

const DAY_MS = 24 * 3600 * 1000;

function feature(name: string, pending: { originals: number; expired: number }) {
  const lifecycle = {
    name,
    eraseOwner: jest.fn(),
    discardOriginals: jest.fn(async (limit: number) => {
      const n = Math.min(limit, pending.originals);
      pending.originals -= n;
      return n;
    }),
    expireResults: jest.fn(async (_before: Date, limit: number) => {
      const n = Math.min(limit, pending.expired);
      pending.expired -= n;
      return n;
    }),
  } satisfies FeatureDataLifecycle;
  return lifecycle;
}

function service(env: Record<string, string>, ...features: FeatureDataLifecycle[]): RetentionService {
  const registry = new DataLifecycleRegistry();
  features.forEach((f) => registry.register(f));
  return new RetentionService(AppConfig.from({ LOG_LEVEL: 'silent', ...env }), registry);
}

describe('RetentionService', () => {
  const now = new Date('2026-12-05T12:00:00Z');

  it('erases originals by default and expires nothing while RETENTION_DAYS is unset', async () => {
    const tasks = feature('tasks', { originals: 3, expired: 5 });

    expect(await service({}, tasks).sweep(now)).toEqual({ originals: 3, expired: 0 });
    expect(tasks.expireResults).not.toHaveBeenCalled();
  });

  it('keeps originals with RETAIN_ORIGINALS=true', async () => {
    const tasks = feature('tasks', { originals: 3, expired: 0 });

    expect(await service({ RETAIN_ORIGINALS: 'true', RETENTION_DAYS: '7' }, tasks).sweep(now)).toEqual({ originals: 0, expired: 0 });
    expect(tasks.discardOriginals).not.toHaveBeenCalled();
  });

  it('expires what finished more than RETENTION_DAYS ago, in batches, for every feature', async () => {
    const jobs = feature('jobs', { originals: 0, expired: 450 });
    const tasks = feature('tasks', { originals: 0, expired: 2 });

    expect(await service({ RETENTION_DAYS: '30' }, jobs, tasks).sweep(now)).toEqual({ originals: 0, expired: 452 });
    expect(jobs.expireResults).toHaveBeenCalledTimes(3); // 200 + 200 + 50
    expect(jobs.expireResults).toHaveBeenCalledWith(new Date(now.getTime() - 30 * DAY_MS), 200);
  });

  it('stops a round after 50 batches per feature; the next round carries on', async () => {
    const jobs = feature('jobs', { originals: 0, expired: 200 * 60 });
    const retention = service({ RETENTION_DAYS: '1' }, jobs);

    expect((await retention.sweep(now)).expired).toBe(200 * 50);
    expect((await retention.sweep(now)).expired).toBe(200 * 10);
  });

  it('skips features that keep no originals or results', async () => {
    const ecgs: FeatureDataLifecycle = { name: 'ecgs', eraseOwner: jest.fn() };

    expect(await service({ RETENTION_DAYS: '1' }, ecgs).sweep(now)).toEqual({ originals: 0, expired: 0 });
  });
});

describe('DataLifecycleRegistry', () => {
  it('refuses a feature registered twice', () => {
    const registry = new DataLifecycleRegistry();
    registry.register({ name: 'jobs', eraseOwner: jest.fn() });
    expect(() => registry.register({ name: 'jobs', eraseOwner: jest.fn() })).toThrow(/registered twice/);
  });
});
