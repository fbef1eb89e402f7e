import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { runFfmpeg } from '../../../core/media/ffmpeg';
import type { TaskObject } from '../entities/task.entity';
import { collectStderr, exitOf, type VideoInfo } from './video';

/**
 * A video's result is encoded in chunks of at least CHUNK_MS of engine time, each a small H.264 file
 * of its own, cut only at a detected frame (the frames between two detections need both, so a
 * chunk never splits them). Each finished chunk is handed to the processor, which checkpoints it
 * in object storage (`tasks/<id>/checkpoint/`): a redelivered video (worker killed, deploy)
 * resumes at the frame after the last checkpointed chunk, and at the end the chunks are joined
 * without re-encoding. Detection is deterministic, so the result is the same whichever attempt
 * did which chunk.
 */
export const CHUNK_MS = 500;

/** One finished chunk, as the engine thread reports it. */
export interface VideoChunk {
  index: number;
  /** Local file (the engine's working directory). */
  path: string;
  /** The chunk holds frames [startFrame, endFrame). */
  startFrame: number;
  endFrame: number;
  /** Per type, the most objects seen at once in one detected frame, from the first frame to endFrame. */
  counts: Record<TaskObject, number>;
}

/** What a redelivery resumes from: the chunks already done, in order. */
export interface VideoResume {
  /** Frames already in `chunks`: the engine starts at this frame (a detected one). */
  frames: number;
  /** Local copies of the checkpointed chunks, in order. */
  chunks: string[];
  counts: Record<TaskObject, number>;
}

/** The first `frames` frames are done: the ones a resumed run skips (decoded, not detected or encoded). */
export function frameRange(resume: VideoResume | undefined): { skip: number; firstChunk: number } {
  return { skip: resume?.frames ?? 0, firstChunk: resume?.chunks.length ?? 0 };
}

/** Per type, the larger of two counts (the most seen at once is a maximum over frames). */
export function maxCounts(objects: readonly TaskObject[], a: Partial<Record<TaskObject, number>>, b: Partial<Record<TaskObject, number>>): Record<TaskObject, number> {
  return Object.fromEntries(objects.map((o) => [o, Math.max(a[o] ?? 0, b[o] ?? 0)])) as Record<TaskObject, number>;
}

/** Frames in a video file's first video stream, as ffmpeg decodes them (tests, checks). */
export async function countFrames(ffmpegPath: string, file: string): Promise<number> {
  const stderr = await runFfmpeg(ffmpegPath, ['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0', '-vsync', 'passthrough', '-f', 'null', '-'], { timeoutMs: 60_000 });
  const all = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  return all.length ? Number(all.at(-1)![1]) : 0;
}

/** H.264 of raw RGB frames, video only (the source's audio is added when the chunks are joined). */
export function spawnChunkEncoder(ffmpegPath: string, info: VideoInfo, output: string, quality: number): ChildProcessWithoutNullStreams {
  const crf = Math.round(40 - ((Math.min(100, Math.max(1, quality)) - 1) * 22) / 99);
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${info.width}x${info.height}`, '-r', String(info.fps), '-i', 'pipe:0',
    '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(crf), '-pix_fmt', 'yuv420p',
    '-f', 'mp4', output,
  ];
  return spawn(ffmpegPath, args);
}

/**
 * Joins the chunks without re-encoding (ffmpeg's concat demuxer, stream copy) into an MP4 that
 * every player opens (moov first), with the source's audio as AAC.
 */
export async function concatChunks(ffmpegPath: string, chunks: readonly string[], dir: string, source: string, hasAudio: boolean, output: string): Promise<void> {
  const list = join(dir, 'chunks.txt');
  await writeFile(list, chunks.map((c) => `file '${c.replace(/'/g, "'\\''")}'`).join('\n'));
  await runFfmpeg(
    ffmpegPath,
    [
      '-hide_banner', '-nostdin', '-v', 'error', '-y',
      '-f', 'concat', '-safe', '0', '-i', list,
      ...(hasAudio ? ['-i', source, '-map', '0:v:0', '-map', '1:a:0?', '-c:a', 'aac', '-b:a', '128k'] : ['-map', '0:v:0']),
      '-c:v', 'copy', '-movflags', '+faststart',
      output,
    ],
    { timeoutMs: 10 * 60_000 },
  );
}

/** Frames in, one chunk file per CHUNK_MS; `cut` is called at each detected frame, before it is written. */
export class ChunkWriter {
  readonly files: string[];
  private encoder?: ChildProcessWithoutNullStreams;
  private encoderErr: () => string = () => '';
  private encoderExit?: Promise<number | null>;
  private index: number;
  private startFrame: number;
  private startedAt = 0;

  constructor(
    private readonly ffmpegPath: string,
    private readonly info: VideoInfo,
    private readonly dir: string,
    private readonly quality: number,
    resume: VideoResume | undefined,
    private readonly chunkMs: number,
    private readonly onChunk: (chunk: VideoChunk) => void,
  ) {
    this.files = [...(resume?.chunks ?? [])];
    this.index = this.files.length;
    this.startFrame = resume?.frames ?? 0;
  }

  async write(frame: Buffer): Promise<void> {
    if (!this.encoder) this.open();
    const encoder = this.encoder!;
    await new Promise<void>((resolve, reject) => {
      if (encoder.stdin.destroyed) return reject(new Error(`the encoder stopped: ${this.encoderErr()}`));
      encoder.stdin.write(frame, (error) => (error ? reject(new Error(`the encoder stopped: ${this.encoderErr()}`)) : resolve()));
    });
  }

  /** At a detected frame `frame` (not yet written): ends the chunk when it has run CHUNK_MS, and reports it. */
  async cut(frame: number, counts: Record<TaskObject, number>): Promise<void> {
    if (!this.encoder || performance.now() - this.startedAt < this.chunkMs) return;
    const path = await this.close();
    this.onChunk({ index: this.index, path, startFrame: this.startFrame, endFrame: frame, counts });
    this.index++;
    this.startFrame = frame;
  }

  /** Ends the last chunk (not reported: it goes straight into the result); answers every chunk file, in order. */
  async finish(): Promise<string[]> {
    if (this.encoder) await this.close();
    return this.files;
  }

  /** Stops a running encoder (the run failed). */
  abort(): void {
    this.encoder?.kill('SIGKILL');
  }

  private open(): void {
    const path = join(this.dir, `chunk-${this.index}.mp4`);
    const encoder = spawnChunkEncoder(this.ffmpegPath, this.info, path, this.quality);
    encoder.stdin.on('error', () => undefined); // a dead encoder is reported by its exit code
    this.encoderErr = collectStderr(encoder);
    this.encoderExit = exitOf(encoder);
    this.encoder = encoder;
    this.files.push(path);
    this.startedAt = performance.now();
  }

  private async close(): Promise<string> {
    const encoder = this.encoder!;
    this.encoder = undefined;
    encoder.stdin.end();
    const code = await this.encoderExit;
    if (code !== 0) throw new Error(`ffmpeg could not encode the result: ${this.encoderErr()}`);
    return this.files.at(-1)!;
  }
}
