import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { defaultFfmpegPath, runFfmpeg } from '../../../core/media/ffmpeg';
import type { AnonymisationJob } from './anonymisation-job';
import anonymise from './anonymise.worker';
import { countFrames, frameRange, maxCounts, type VideoChunk } from './video-chunks';

const ffmpeg = defaultFfmpegPath()!;

describe('video chunks', () => {
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chunks-'));
    clip = join(dir, 'clip.mp4');
    // 3 s at 10 fps with a tone: 30 frames, audio to carry over.
    await runFfmpeg(ffmpeg, [
      '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000',
      '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', clip,
    ]);
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('skips nothing without a checkpoint, and the checkpointed frames with one', () => {
    expect(frameRange(undefined)).toEqual({ skip: 0, firstChunk: 0 });
    expect(frameRange({ frames: 12, chunks: ['a', 'b'], counts: { face: 1 } as never })).toEqual({ skip: 12, firstChunk: 2 });
  });

  it('keeps the larger count per type', () => {
    expect(maxCounts(['face', 'person'], { face: 2, person: 0 }, { face: 1, person: 3 })).toEqual({ face: 2, person: 3 });
    expect(maxCounts(['face'], {}, { face: 1 })).toEqual({ face: 1 });
  });

  /** Runs the engine on the clip; answers the chunks it reported, its progress and its outcome. */
  async function run(name: string, resume?: AnonymisationJob['chunks']) {
    const work = join(dir, name);
    await mkdir(work);
    const channel = new MessageChannel();
    const chunks: VideoChunk[] = [];
    const progress: number[] = [];
    channel.port1.on('message', (m: { chunk?: VideoChunk; progress?: number }) => (m.chunk ? chunks.push(m.chunk) : progress.push(m.progress!)));
    const output = join(work, 'out.mp4');
    const outcome = await anonymise({
      kind: 'video', inputPath: clip, outputPath: output, objects: ['face', 'person'], method: 'blur', quality: 60,
      maxPixels: 10_000_000, platesHideVehicle: false, ffmpegPath: ffmpeg, progressPort: channel.port2,
      chunks: { dir: work, chunkFrames: 4, ...resume },
    });
    await new Promise((resolve) => setImmediate(resolve));
    channel.port1.close();
    return { chunks, progress, outcome, output };
  }

  it('checkpoints the result in chunks and resumes after the last one with the same result', async () => {
    const whole = await run('whole');
    // chunkFrames 4: a chunk ends at every detected frame (every 4th) but the first.
    expect(whole.chunks.length).toBeGreaterThanOrEqual(5);
    expect(whole.chunks.map((c) => c.index)).toEqual(whole.chunks.map((_, i) => i));
    expect(whole.chunks.every((c, i) => c.endFrame % 4 === 0 && (i === 0 || c.startFrame === whole.chunks[i - 1].endFrame))).toBe(true);
    expect(whole.outcome.frames).toBe(30);
    expect(await countFrames(ffmpeg, whole.output)).toBe(30);

    // A redelivery after the third chunk: only the rest is done, and the result is the same.
    const done = whole.chunks.slice(0, 3);
    const resumed = await run('resumed', { resume: { frames: done.at(-1)!.endFrame, chunks: done.map((c) => c.path), counts: done.at(-1)!.counts } });
    expect(resumed.chunks[0].index).toBe(3);
    expect(resumed.chunks[0].startFrame).toBe(done.at(-1)!.endFrame);
    expect(resumed.outcome.frames).toBe(30);
    expect(resumed.outcome.counts).toEqual(whole.outcome.counts);
    expect(await countFrames(ffmpeg, resumed.output)).toBe(30);
    // Progress picks up where the checkpoint left it, never lower.
    expect(Math.min(...resumed.progress)).toBeGreaterThanOrEqual(Math.floor((done.at(-1)!.endFrame / 30) * 100));
  }, 120_000);
});
