import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { runFfmpeg } from '../../../core/media/ffmpeg';
import type { TaskObject } from '../entities/task.entity';
import { collectStderr, DETECT_EVERY, exitOf, type VideoInfo } from './video';

/**
 * A video's result is encoded in chunks of CHUNK_FRAMES frames, each a small H.264 file of its own,
 * cut only at a detected frame (the frames between two detections need both, so a chunk never
 * splits them). One encoder makes them all (ffmpeg's segment muxer, a keyframe forced at each cut,
 * no lookahead so a chunk is closed as soon as its last frame is in): an encoder per chunk cost
 * 1.6x the CPU of the whole video. Each finished chunk is handed to the processor, which
 * checkpoints it in object storage (`tasks/<id>/checkpoint/`): a redelivered video (worker killed,
 * deploy) resumes at the frame after the last checkpointed chunk, and at the end the chunks are
 * joined without re-encoding. Detection is deterministic and the cuts fall on the same frames, so
 * the result is the same whichever attempt did which chunk.
 */
export const CHUNK_FRAMES = 2 * DETECT_EVERY;

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

/**
 * H.264 of raw RGB frames, video only (the source's audio is added when the chunks are joined),
 * cut into `chunk-<n>.mp4` files of `chunkFrames` frames from `firstChunk` on; `list` names each
 * finished one (CSV: file,start,end) as soon as it is closed.
 */
export function spawnChunkEncoder(ffmpegPath: string, info: VideoInfo, dir: string, quality: number, chunkFrames: number, firstChunk: number, list: string): ChildProcessWithoutNullStreams {
  // quality 100 → CRF 18 (visually lossless), 1 → CRF 40.
  const crf = Math.round(40 - ((Math.min(100, Math.max(1, quality)) - 1) * 22) / 99);
  const expected = info.durationS ? Math.ceil(info.durationS * info.fps) : 0;
  // Cut points up to a tenth past the expected length (at least 100 chunks); a longer video's last chunk is longer.
  const cuts = Array.from({ length: Math.max(100, Math.ceil((expected * 1.1) / chunkFrames)) }, (_, k) => (k + 1) * chunkFrames);
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${info.width}x${info.height}`, '-r', String(info.fps), '-i', 'pipe:0',
    '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-crf', String(crf), '-pix_fmt', 'yuv420p',
    '-force_key_frames', `expr:eq(mod(n,${chunkFrames}),0)`,
    '-f', 'segment', '-segment_format', 'mp4', '-segment_frames', cuts.join(','), '-segment_start_number', String(firstChunk),
    '-reset_timestamps', '1', '-segment_list', list, '-segment_list_type', 'csv',
    join(dir, 'chunk-%d.mp4'),
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

/** Frames in, one chunk file per `chunkFrames` frames; `cut` is called at each detected frame, before it is written. */
export class ChunkWriter {
  private readonly resumed: string[];
  private encoder?: ChildProcessWithoutNullStreams;
  private encoderErr: () => string = () => '';
  private encoderExit?: Promise<number | null>;
  private readonly list: string;
  private readonly chunkFrames: number;
  private readonly firstChunk: number;
  private readonly skip: number;
  /** Finished chunks of this run (from the encoder's list), and how many of them were reported. */
  private done: string[] = [];
  private reported = 0;
  /** Per cut frame, the counts up to it (taken when it was detected). */
  private readonly countsAt = new Map<number, Record<TaskObject, number>>();

  constructor(
    private readonly ffmpegPath: string,
    private readonly info: VideoInfo,
    private readonly dir: string,
    private readonly quality: number,
    resume: VideoResume | undefined,
    chunkFrames: number,
    private readonly onChunk: (chunk: VideoChunk) => void,
  ) {
    this.chunkFrames = Math.max(1, Math.ceil(chunkFrames / DETECT_EVERY)) * DETECT_EVERY; // cuts fall on detected frames
    this.resumed = [...(resume?.chunks ?? [])];
    this.firstChunk = this.resumed.length;
    this.skip = resume?.frames ?? 0;
    this.list = join(dir, `chunks-${this.firstChunk}.csv`);
  }

  async write(frame: Buffer): Promise<void> {
    if (!this.encoder) this.open();
    const encoder = this.encoder!;
    await new Promise<void>((resolve, reject) => {
      if (encoder.stdin.destroyed) return reject(new Error(`the encoder stopped: ${this.encoderErr()}`));
      encoder.stdin.write(frame, (error) => (error ? reject(new Error(`the encoder stopped: ${this.encoderErr()}`)) : resolve()));
    });
  }

  /** At a detected frame `frame` (not yet written): notes the counts at a cut, and reports the chunks the encoder has closed. */
  async cut(frame: number, counts: Record<TaskObject, number>): Promise<void> {
    if (frame > this.skip && (frame - this.skip) % this.chunkFrames === 0) this.countsAt.set(frame, counts);
    if (!this.encoder) return;
    await this.readList();
    for (; this.reported < this.done.length; this.reported++) {
      const startFrame = this.skip + this.reported * this.chunkFrames;
      const endFrame = startFrame + this.chunkFrames;
      const at = this.countsAt.get(endFrame);
      if (!at) break; // a cut not yet detected cannot be closed; never happens, as cuts are detected frames
      this.onChunk({ index: this.firstChunk + this.reported, path: this.done[this.reported], startFrame, endFrame, counts: at });
      this.countsAt.delete(endFrame);
    }
  }

  /** Ends the last chunk (the unreported ones go straight into the result); answers every chunk file, in order. */
  async finish(): Promise<string[]> {
    if (this.encoder) {
      const encoder = this.encoder;
      this.encoder = undefined;
      encoder.stdin.end();
      const code = await this.encoderExit;
      if (code !== 0) throw new Error(`ffmpeg could not encode the result: ${this.encoderErr()}`);
      await this.readList();
    }
    return [...this.resumed, ...this.done];
  }

  /** Stops a running encoder (the run failed). */
  abort(): void {
    this.encoder?.kill('SIGKILL');
  }

  private open(): void {
    const encoder = spawnChunkEncoder(this.ffmpegPath, this.info, this.dir, this.quality, this.chunkFrames, this.firstChunk, this.list);
    encoder.stdin.on('error', () => undefined); // a dead encoder is reported by its exit code
    this.encoderErr = collectStderr(encoder);
    this.encoderExit = exitOf(encoder);
    this.encoder = encoder;
  }

  private async readList(): Promise<void> {
    const text = await readFile(this.list, 'utf8').catch(() => '');
    // Only whole lines: the encoder may be writing the next one.
    const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
    this.done = lines.map((line) => join(this.dir, line.slice(0, line.indexOf(','))));
  }
}
