import { AppConfig } from './app-config';
import { loadSettings, SettingsError } from './settings';

describe('settings', () => {
  it('gives the documented defaults on an empty environment', () => {
    const s = loadSettings({});
    expect(s.PORT).toBe(3000);
    expect(s.DATA_DIR).toBe('./data');
    expect(s.DATABASE_URL).toBeUndefined();
    expect(s.WORKER_PREFETCH).toBe(4);
    expect(s.SERIES_MAX_POINTS).toBe(1_000_000);
  });

  it('keeps no originals and every result by default, and refuses a retention of 0 days', () => {
    expect(AppConfig.from({}).retention).toEqual({ retainOriginals: false, days: undefined, sweepIntervalMs: 300_000 });
    expect(AppConfig.from({ RETAIN_ORIGINALS: 'true', RETENTION_DAYS: '30', RETENTION_SWEEP_INTERVAL_S: '60' }).retention).toEqual({
      retainOriginals: true,
      days: 30,
      sweepIntervalMs: 60_000,
    });
    expect(() => loadSettings({ RETENTION_DAYS: '0', RETAIN_ORIGINALS: 'maybe' })).toThrow(/RETAIN_ORIGINALS[\s\S]*RETENTION_DAYS|RETENTION_DAYS[\s\S]*RETAIN_ORIGINALS/);
  });

  it('names every bad setting in one error', () => {
    let error: SettingsError | undefined;
    try {
      loadSettings({ PORT: 'abc', WORKER_PREFETCH: '0', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e as SettingsError;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect(error!.message).toMatch(/PORT: .*\(got "abc"\)/);
    expect(error!.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'WORKER_PREFETCH']);
  });

  it('refuses production without a secret, a database and a broker', () => {
    expect(() => loadSettings({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required[\s\S]*DATABASE_URL: required[\s\S]*RABBITMQ_URL: required/);
  });

  it('refuses the fake speech-to-text engine in production', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://db/h', RABBITMQ_URL: 'amqp://mq' };
    expect(() => loadSettings({ ...prod, STT_ENGINE: 'fake' })).toThrow(/STT_ENGINE: "fake" .* unit tests only/);
    expect(loadSettings(prod).STT_ENGINE).toBe('pocketsphinx');
  });

  it('wants the admin username and password together', () => {
    expect(() => loadSettings({ ADMIN_USERNAME: 'root' })).toThrow(/set both or neither/);
  });

  it('derives storage, worker queues and migrations from the settings', () => {
    const local = AppConfig.from({ DATA_DIR: '/tmp/h' });
    expect(local.storage).toEqual({ driver: 'local', dir: '/tmp/h/objects' });
    expect(local.database.migrationsRun).toBe(true);
    const prod = AppConfig.from({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://db/h',
      RABBITMQ_URL: 'amqp://mq',
      S3_ENDPOINT: 'http://minio:9000',
      WORKER_QUEUES: 'jobs.ingest,ecg.analyse',
    });
    expect(prod.storage.driver).toBe('s3');
    expect(prod.database.migrationsRun).toBe(false);
    expect(prod.worker.queues).toEqual(['jobs.ingest', 'ecg.analyse']);
  });

  it('sizes the database pool from DATABASE_POOL_MAX, 20 by default, and refuses a bad size', () => {
    expect(AppConfig.from({}).database.poolMax).toBe(20);
    expect(AppConfig.from({ DATABASE_POOL_MAX: '8' }).database.poolMax).toBe(8);
    for (const bad of ['0', 'many', '-3']) {
      expect(() => loadSettings({ DATABASE_POOL_MAX: bad })).toThrow(/DATABASE_POOL_MAX: /);
    }
  });

  it('takes strict plates for videos by default, and only video, always or never', () => {
    expect(AppConfig.from({}).tasks.platesStrict).toBe('video');
    expect(AppConfig.from({ TASKS_PLATES_STRICT: 'always' }).tasks.platesStrict).toBe('always');
    expect(() => loadSettings({ TASKS_PLATES_STRICT: 'sometimes' })).toThrow(/TASKS_PLATES_STRICT/);
  });
});
