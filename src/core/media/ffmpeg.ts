import { spawn } from 'node:child_process';

/**
 * ffmpeg is shared by the media features (tasks: video frames; transcriptions: audio to 16 kHz
 * mono). It comes from npm (`@ffmpeg-installer/ffmpeg` ships a static Linux binary inside the
 * package), so `npm ci` alone provides it; `FFMPEG_PATH` points at another build (e.g. Debian's).
 */
export function defaultFfmpegPath(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined; // no binary for this platform: the features report the engine as missing
  }
}

export class FfmpegError extends Error {
  constructor(
    message: string,
    /** The last lines ffmpeg wrote to stderr: its own reason, safe to show a user. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

export interface RunFfmpegOptions {
  signal?: AbortSignal;
  /** Killed with SIGKILL past this; the promise rejects with an FfmpegError. */
  timeoutMs?: number;
}

/** Runs ffmpeg to completion; resolves with its stderr, rejects with its last stderr lines. */
export function runFfmpeg(ffmpegPath: string, args: string[], options: RunFfmpegOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    // Keep the tail only: ffmpeg's progress lines can grow without bound on long inputs.
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-16_384)));
    const kill = () => child.kill('SIGKILL');
    const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : undefined;
    options.signal?.addEventListener('abort', kill, { once: true });
    const done = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
    };
    child.on('error', (error) => {
      done();
      reject(new FfmpegError(`ffmpeg could not start (${ffmpegPath}): ${error.message}`, 'converter not available'));
    });
    child.on('close', (code, signal) => {
      done();
      if (code === 0) return resolve(stderr);
      const reason = lastLines(stderr) || (signal ? `killed by ${signal}` : `exit code ${code}`);
      reject(new FfmpegError(`ffmpeg failed: ${reason}`, reason));
    });
  });
}

/** Duration in seconds from ffmpeg's own banner (`Duration: 00:01:02.50`), or undefined. */
export function parseFfmpegDuration(stderr: string): number | undefined {
  const m = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

function lastLines(text: string, count = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ')
    .slice(0, 500);
}
