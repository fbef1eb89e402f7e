import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { defaultFfmpegPath } from '../media/ffmpeg';
import { loadSettings, Settings } from './settings';

export type StorageConfig =
  | { driver: 'local'; dir: string }
  | { driver: 's3'; endpoint: string; accessKey: string; secretKey: string; bucket: string; region: string };

/**
 * The validated, typed configuration every module receives. Built once per process by
 * `AppConfig.fromEnvironment()`; tests build it from a plain object with `AppConfig.from()`.
 */
export class AppConfig {
  readonly production: boolean;
  readonly port: number;
  readonly dataDir: string;
  readonly database: { url?: string; embeddedDir: string; migrationsRun: boolean; poolMax: number };
  readonly rabbitmqUrl?: string;
  readonly storage: StorageConfig;
  readonly jwt: { secret?: string; expiresInS: number; secretFile: string };
  readonly admin?: { username: string; password: string };
  readonly uploadMaxBytes: number;
  readonly ingestLineDelayMsMax: number;
  readonly seriesMaxPoints: number;
  readonly worker: { queues?: string[]; prefetch: number; healthPort: number };
  readonly logLevel: string;
  readonly corsOrigins: string[] | '*';
  readonly authRateLimit: { limit: number; windowMs: number };
  /** ffmpeg's path; undefined when neither FFMPEG_PATH nor the npm package provides one. */
  readonly ffmpegPath?: string;
  /** Who may read the API's /metrics: 'open', 'closed' (production without a token), or a bearer token. */
  readonly metricsAccess: { mode: 'open' | 'closed' } | { mode: 'token'; token: string };
  readonly stt: {
    engine: 'pocketsphinx' | 'fake';
    pocketsphinxBin: string;
    modelDir: string;
    maxDurationS: number;
    uploadMaxBytes: number;
    concurrency: number;
  };
  /** What is kept and for how long (docs/data-lifecycle.md); `days` undefined keeps results. */
  readonly retention: { retainOriginals: boolean; days?: number; sweepIntervalMs: number };
  readonly tasks: { maxPixels: number; engineThreads: number; platesHideVehicle: boolean; platesStrict: 'video' | 'always' | 'never' };
  readonly loginThrottle: { usernameFailures: number; addressFailures: number };
  /** Express's `trust proxy` value (false: the TCP peer is the client). */
  readonly trustProxy: boolean | number | string;

  private constructor(s: Settings) {
    this.production = s.NODE_ENV === 'production';
    this.port = s.PORT;
    this.dataDir = resolve(s.DATA_DIR);
    this.database = {
      url: s.DATABASE_URL,
      embeddedDir: resolve(this.dataDir, 'pg'),
      // Production deploys run `npm run migration:run` as a separate step.
      migrationsRun: s.MIGRATIONS_RUN ?? !this.production,
      poolMax: s.DATABASE_POOL_MAX,
    };
    this.rabbitmqUrl = s.RABBITMQ_URL;
    this.storage = s.S3_ENDPOINT
      ? {
          driver: 's3',
          endpoint: s.S3_ENDPOINT,
          accessKey: s.S3_ACCESS_KEY,
          secretKey: s.S3_SECRET_KEY,
          bucket: s.S3_BUCKET,
          region: s.S3_REGION,
        }
      : { driver: 'local', dir: resolve(this.dataDir, 'objects') };
    this.jwt = { secret: s.JWT_SECRET, expiresInS: s.JWT_EXPIRES_IN, secretFile: resolve(this.dataDir, 'jwt-secret') };
    this.admin = s.ADMIN_USERNAME && s.ADMIN_PASSWORD ? { username: s.ADMIN_USERNAME, password: s.ADMIN_PASSWORD } : undefined;
    this.uploadMaxBytes = s.UPLOAD_MAX_BYTES;
    this.ingestLineDelayMsMax = s.INGEST_LINE_DELAY_MS_MAX;
    this.seriesMaxPoints = s.SERIES_MAX_POINTS;
    this.worker = {
      queues: s.WORKER_QUEUES?.split(',').filter(Boolean),
      prefetch: s.WORKER_PREFETCH,
      healthPort: s.WORKER_HEALTH_PORT,
    };
    this.logLevel = s.LOG_LEVEL;
    this.corsOrigins = s.CORS_ORIGINS.trim() === '*' ? '*' : s.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
    this.authRateLimit = { limit: s.AUTH_RATE_LIMIT, windowMs: s.AUTH_RATE_LIMIT_WINDOW_S * 1000 };
    this.ffmpegPath = s.FFMPEG_PATH ?? defaultFfmpegPath();
    this.metricsAccess = s.METRICS_TOKEN ? { mode: 'token', token: s.METRICS_TOKEN } : { mode: this.production ? 'closed' : 'open' };
    this.stt = {
      engine: s.STT_ENGINE,
      pocketsphinxBin: s.STT_POCKETSPHINX_BIN,
      modelDir: s.STT_MODEL_DIR,
      maxDurationS: s.STT_MAX_DURATION_S,
      uploadMaxBytes: s.STT_UPLOAD_MAX_BYTES,
      // Speech-to-text is CPU-bound: more processes than cores only slows each one down.
      concurrency: s.STT_CONCURRENCY ?? availableParallelism(),
    };
    this.retention = { retainOriginals: s.RETAIN_ORIGINALS, days: s.RETENTION_DAYS, sweepIntervalMs: s.RETENTION_SWEEP_INTERVAL_S * 1000 };
    this.tasks = { maxPixels: s.TASKS_MAX_PIXELS, engineThreads: s.TASKS_ENGINE_THREADS, platesHideVehicle: s.TASKS_PLATES_HIDE_VEHICLE, platesStrict: s.TASKS_PLATES_STRICT };
    this.loginThrottle = { usernameFailures: s.LOGIN_THROTTLE_USERNAME_FAILURES, addressFailures: s.LOGIN_THROTTLE_ADDRESS_FAILURES };
    this.trustProxy = parseTrustProxy(s.TRUST_PROXY);
  }

  /** The same configuration pointing at another database (the embedded one, or a test's). */
  withDatabaseUrl(url: string): AppConfig {
    return Object.assign(Object.create(AppConfig.prototype) as AppConfig, this, { database: { ...this.database, url } });
  }

  static from(env: Record<string, string | undefined>): AppConfig {
    return new AppConfig(loadSettings(env));
  }

  /** The only place that reads process.env; a `.env` file in the working directory fills gaps. */
  static fromEnvironment(): AppConfig {
    const file = resolve('.env');
    const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
    return AppConfig.from({ ...fromFile, ...process.env });
  }
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  const trimmed = value?.trim().toLowerCase();
  if (!trimmed || trimmed === 'false') return false;
  if (trimmed === 'true') return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return value!.trim();
}
