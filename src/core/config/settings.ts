import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value).trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  const v = String(value).trim().toLowerCase();
  return ['1', 'true', 'yes', 'on'].includes(v) ? true : ['0', 'false', 'no', 'off'].includes(v) ? false : value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Every environment variable the service reads, with its default. `.env.example` lists the same
 * names; README's settings table documents them. Validated once at start-up (see loadSettings).
 */
export class Settings {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString() @MinLength(1)
  DATA_DIR = './data';

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string = undefined;

  @Transform(toBool) @IsOptional() @IsBoolean()
  MIGRATIONS_RUN?: boolean = undefined;

  /** PostgreSQL connections per process; pool × processes must stay under max_connections. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  DATABASE_POOL_MAX = 20;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^amqps?:\/\/.+/, { message: 'RABBITMQ_URL must be an amqp:// or amqps:// URL' })
  RABBITMQ_URL?: string = undefined;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^https?:\/\/[^/]+\/?$/, { message: 'S3_ENDPOINT must be an http(s)://host[:port] URL' })
  S3_ENDPOINT?: string = undefined;

  @IsString()
  S3_ACCESS_KEY = 'minioadmin';

  @IsString()
  S3_SECRET_KEY = 'minioadmin';

  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a valid bucket name' })
  S3_BUCKET = 'horizon';

  @IsString()
  S3_REGION = 'us-east-1';

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string = undefined;

  @Transform(toInt) @IsInt() @Min(60) @Max(7 * 24 * 3600)
  JWT_EXPIRES_IN = 3600;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[A-Za-z0-9._-]{3,64}$/, {
    message: 'ADMIN_USERNAME must be 3-64 letters, digits, ".", "_" or "-"',
  })
  ADMIN_USERNAME?: string = undefined;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(10, { message: 'ADMIN_PASSWORD must be at least 10 characters' })
  ADMIN_PASSWORD?: string = undefined;

  @Transform(toInt) @IsInt() @Min(1)
  UPLOAD_MAX_BYTES = 1024 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(0) @Max(60000)
  INGEST_LINE_DELAY_MS_MAX = 0;

  @Transform(toInt) @IsInt() @Min(1) @Max(10_000_000)
  SERIES_MAX_POINTS = 1_000_000;

  @Transform(emptyToUndefined) @IsOptional() @Matches(/^[a-z0-9._-]+(,[a-z0-9._-]+)*$/, {
    message: 'WORKER_QUEUES must be a comma-separated list of queue names',
  })
  WORKER_QUEUES?: string = undefined;

  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  WORKER_PREFETCH = 4;

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  WORKER_HEALTH_PORT = 3001;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsString()
  CORS_ORIGINS = '*';

  @Transform(toInt) @IsInt() @Min(1)
  AUTH_RATE_LIMIT = 10;

  @Transform(toInt) @IsInt() @Min(1)
  AUTH_RATE_LIMIT_WINDOW_S = 60;

  /**
   * Bearer token for the API's `/metrics`. Unset: served openly in development, not at all on
   * the API in production (scrape the worker's health port, or set this).
   */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string = undefined;

  /** ffmpeg for the media features; unset → the binary shipped by `@ffmpeg-installer/ffmpeg`. */
  @Transform(emptyToUndefined) @IsOptional() @IsString()
  FFMPEG_PATH?: string = undefined;

  /** Speech-to-text engine of the transcriptions: `pocketsphinx` (Debian packages), or `fake` for unit tests only. */
  @IsIn(['pocketsphinx', 'fake'])
  STT_ENGINE: 'pocketsphinx' | 'fake' = 'pocketsphinx';

  /** Path to the pocketsphinx binary (Debian's `pocketsphinx` package puts it here). */
  @Matches(/^\//, { message: 'STT_POCKETSPHINX_BIN must be an absolute path' })
  STT_POCKETSPHINX_BIN = '/usr/bin/pocketsphinx_continuous';

  /** The acoustic model, language model and dictionary (Debian's `pocketsphinx-en-us` layout). */
  @IsString() @MinLength(1)
  STT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

  /** Longer audio fails with a clear reason instead of occupying a worker for hours. */
  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 3600)
  STT_MAX_DURATION_S = 3600;

  /** Largest accepted audio upload in bytes. */
  @Transform(toInt) @IsInt() @Min(1)
  STT_UPLOAD_MAX_BYTES = 200 * 1024 * 1024;

  /** Engine processes one worker runs at once; unset -> one per CPU core. */
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(64)
  STT_CONCURRENCY?: number = undefined;
  /** tasks: images with more pixels are refused at upload and never decoded (decompression bombs). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000_000)
  TASKS_MAX_PIXELS = 50_000_000;

  /** tasks: detection threads per worker process, one inference at a time each (≤ cores). */
  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  TASKS_ENGINE_THREADS = 1;

  /** tasks: when licence plates are asked for, hide every vehicle box whole (stricter, coarser). */
  @Transform(toBool) @IsBoolean()
  TASKS_PLATES_HIDE_VEHICLE = false;

  /** Keep the originals of tasks (image, video) and transcriptions (audio) once processed; false erases them. */
  @Transform(toBool) @IsBoolean()
  RETAIN_ORIGINALS = false;

  /** Results and log files older than this many days are erased (rows stay, `expired: true`); unset keeps them. */
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(36500)
  RETENTION_DAYS?: number = undefined;

  /** How often the retention sweeper erases originals and expires results. */
  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 3600)
  RETENTION_SWEEP_INTERVAL_S = 300;
  /** tasks: strict plates (the lower half of every vehicle is hidden too): for videos only, always or never. */
  @IsIn(['video', 'always', 'never'])
  TASKS_PLATES_STRICT: 'video' | 'always' | 'never' = 'video';
  /** Failed logins of one username before its back-off starts (then 1 s, doubling, at most 15 min). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  LOGIN_THROTTLE_USERNAME_FAILURES = 5;

  /** Failed logins from one client address before its back-off starts. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  LOGIN_THROTTLE_ADDRESS_FAILURES = 5;

  /**
   * Express's `trust proxy`: unset or `false` uses the TCP peer as the client address; `true`, a hop
   * count or a list of proxy addresses/subnets makes X-Forwarded-For count (login throttling).
   */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @MaxLength(1024)
  TRUST_PROXY?: string = undefined;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

function describe(error: ValidationError, raw: Record<string, unknown>): string {
  const given = raw[error.property];
  const messages = Object.values(error.constraints ?? {}).join('; ');
  return `${error.property}: ${messages}${given === undefined ? '' : ` (got "${String(given)}")`}`;
}

/**
 * Reads the environment once. Every bad or missing setting is reported in one error, so an
 * operator fixes them all in one go instead of one restart per typo.
 */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  // Optional settings default to `undefined` explicitly so that they are own keys here too.
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(new Settings())) {
    if (env[key] !== undefined) raw[key] = env[key];
  }
  const settings = plainToInstance(Settings, raw, { exposeDefaultValues: true });
  const problems = validateSync(settings, { forbidUnknownValues: false }).map((e) => describe(e, raw));

  if (settings.NODE_ENV === 'production') {
    for (const required of ['JWT_SECRET', 'DATABASE_URL', 'RABBITMQ_URL'] as const) {
      if (!settings[required]) problems.push(`${required}: required when NODE_ENV=production`);
    }
  }
  if (settings.NODE_ENV === 'production' && settings.STT_ENGINE === 'fake') {
    problems.push('STT_ENGINE: "fake" returns canned text and is for unit tests only; use "pocketsphinx" in production');
  }
  if (Boolean(settings.ADMIN_USERNAME) !== Boolean(settings.ADMIN_PASSWORD)) {
    problems.push('ADMIN_USERNAME and ADMIN_PASSWORD: set both or neither');
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
