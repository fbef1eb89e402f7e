import { setPriority } from 'node:os';
import { dirname } from 'node:path';
import { FfmpegError } from '../../../core/media/ffmpeg';
import type { TaskObject } from '../entities/task.entity';
import { type AnonymisationJob, type AnonymisationOutcome, engineFailure, parseEngineFailure } from './anonymisation-job';
import { type Box, coverBetween } from './boxes';
import { type DetectOptions, Detector, type Detections } from './detector';
import { redact } from './redact';
import { collectStderr, DETECT_EVERY, exitOf, probeVideo, spawnDecoder } from './video';
import { CHUNK_FRAMES, ChunkWriter, concatChunks, frameRange, maxCounts } from './video-chunks';

// On Linux a nice value belongs to a thread, so this lowers the engine thread (and the ffmpeg it
// spawns) below the event loop's thread: under CPU contention acks, heart-beats and API requests
// win. Elsewhere it may apply to the whole process or fail; either is harmless.
try {
  setPriority(10);
} catch {
  // not permitted here: keep the default priority
}

// One detector per engine thread, loaded on the first job and kept: loading costs ~1 s.
let detector: Detector | undefined;
let loading: Promise<Detector> | undefined;

function loadDetector(): Promise<Detector> {
  if (detector) return Promise.resolve(detector);
  loading ??= (async () => {
    const d = new Detector();
    await d.load();
    detector = d;
    return d;
  })().finally(() => (loading = undefined));
  return loading;
}

/** Piscina's entry point: one job at a time per thread. */
export default async function anonymise(job: AnonymisationJob): Promise<AnonymisationOutcome> {
  const d = await loadDetector();
  // AnonymisationEngine's warm-up ({ warm: true }, no job): the detector is loaded, nothing to answer.
  if ('warm' in job) return undefined as never;
  try {
    return job.kind === 'image' ? await anonymiseImage(d, job) : await anonymiseVideo(d, job);
  } catch (error) {
    if (parseEngineFailure(error)) throw error;
    if (error instanceof FfmpegError) throw engineFailure('UNPROCESSABLE', `The video could not be read: ${error.reason}`);
    throw error;
  } finally {
    job.progressPort?.close();
  }
}

/** What the detector is asked for: vehicles too when they are hidden whole; strict plates per the job. */
function detectionOf(job: AnonymisationJob): [TaskObject[], DetectOptions] {
  const objects = [...job.objects, ...(job.platesHideVehicle ? (['vehicle'] as TaskObject[]) : [])];
  const strict = job.platesStrict ?? 'video';
  return [objects, { strictPlates: strict === 'always' || (strict === 'video' && job.kind === 'video') }];
}

/** Boxes to hide for one frame: plates may widen to their whole vehicle (the strict option). */
function boxesToHide(found: Detections, job: AnonymisationJob): Box[] {
  const boxes = job.objects.flatMap((o) => found[o]);
  if (job.platesHideVehicle && job.objects.includes('license_plate') && !job.objects.includes('vehicle')) boxes.push(...found.vehicle);
  return boxes;
}

async function anonymiseImage(d: Detector, job: AnonymisationJob): Promise<AnonymisationOutcome> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the detector, so a missing sharp fails closed
  const sharp = require('sharp') as typeof import('sharp').default;
  const started = performance.now();
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  let sourceFormat: string | undefined;
  try {
    sourceFormat = (await sharp(job.inputPath, { limitInputPixels: job.maxPixels }).metadata()).format;
    // rotate(): apply the EXIF orientation, so boxes land where a viewer sees the faces.
    decoded = await sharp(job.inputPath, { limitInputPixels: job.maxPixels, failOn: 'error' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw engineFailure('UNPROCESSABLE', `The image could not be decoded: ${(error as Error).message}`);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw engineFailure('UNPROCESSABLE', `The image has ${info.channels} colour channels after conversion; expected RGB.`);
  const found = await d.detect(data, info.width, info.height, ...detectionOf(job));
  redact(data, info.width, info.height, 3, boxesToHide(found, job), job.method);
  // Re-encoding from raw pixels also drops EXIF (GPS position, camera serial): part of anonymising.
  const out = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
  const format = sourceFormat === 'png' ? 'png' : sourceFormat === 'webp' ? 'webp' : 'jpeg';
  if (format === 'png') await out.png().toFile(job.outputPath);
  else if (format === 'webp') await out.webp({ quality: job.quality }).toFile(job.outputPath);
  else await out.jpeg(jpegOptions(info.width * info.height, job.quality)).toFile(job.outputPath);
  return {
    counts: countsOf(job.objects, [found]),
    contentType: `image/${format}`,
    width: info.width,
    height: info.height,
    frames: null,
    durationS: null,
    engine: Detector.ENGINE,
    engineVersion: d.engineVersion,
    engineMs: Math.round(performance.now() - started),
  };
}

/**
 * Above this many pixels a JPEG result is written baseline with the standard Huffman tables.
 * mozjpeg (progressive scans, trellis) and even libjpeg's optimised tables keep every DCT
 * coefficient of the image until the last pass: +70 MB of peak RSS on a 12 MP photo, where the
 * baseline encode streams (+0) and takes 0.07 s instead of 1.3 s. The price is the file: 1.4×
 * mozjpeg's size on the benchmark's 12 MP photo (docs/performance.md). Smaller images, nearly
 * all of them, keep mozjpeg.
 */
export const STREAMED_JPEG_ABOVE_PIXELS = 4_000_000;

/** The JPEG encoder's options for an image of `pixels` pixels (STREAMED_JPEG_ABOVE_PIXELS). */
export function jpegOptions(pixels: number, quality: number): import('sharp').JpegOptions {
  return pixels > STREAMED_JPEG_ABOVE_PIXELS ? { quality, optimiseCoding: false } : { quality, mozjpeg: true };
}

/** Per type: the most objects seen at once in one detected frame (a video has no object identities). */
function countsOf(objects: readonly TaskObject[], frames: Detections[]): Record<TaskObject, number> {
  return Object.fromEntries(objects.map((o) => [o, Math.max(0, ...frames.map((f) => f[o].length))])) as Record<TaskObject, number>;
}

export { DETECT_EVERY };

async function anonymiseVideo(d: Detector, job: AnonymisationJob): Promise<AnonymisationOutcome> {
  const started = performance.now();
  const ffmpeg = job.ffmpegPath;
  if (!ffmpeg) throw engineFailure('ENGINE_UNAVAILABLE', 'ffmpeg is not installed (set FFMPEG_PATH)');
  const info = await probeVideo(ffmpeg, job.inputPath).catch((error: Error) => {
    // ffmpeg that cannot even start is a missing engine, not a bad file.
    if (error.message.startsWith('ffmpeg could not start')) throw engineFailure('ENGINE_UNAVAILABLE', 'ffmpeg cannot run (check FFMPEG_PATH)');
    throw engineFailure('UNPROCESSABLE', `The video could not be read: ${(error as FfmpegError).reason ?? error.message}`);
  });
  if (!info) throw engineFailure('UNPROCESSABLE', 'The file has no video stream.');
  if (info.width * info.height > job.maxPixels) throw engineFailure('UNPROCESSABLE', `The video is ${info.width}×${info.height}, over the pixel limit.`);
  const frameBytes = info.width * info.height * 3;
  const expectedFrames = info.durationS ? Math.max(1, Math.round(info.durationS * info.fps)) : undefined;

  const decoder = spawnDecoder(ffmpeg, job.inputPath);
  const decoderErr = collectStderr(decoder);
  const decoderExit = exitOf(decoder);
  // The result in chunks (video-chunks.ts); a redelivery skips the frames its checkpoint holds.
  const resume = job.chunks?.resume;
  const { skip } = frameRange(resume);
  const chunkDir = job.chunks?.dir ?? dirname(job.outputPath);
  const chunks = new ChunkWriter(ffmpeg, info, chunkDir, job.quality, resume, job.chunks?.chunkFrames ?? CHUNK_FRAMES, (chunk) => job.progressPort?.postMessage({ chunk }));
  const totalCounts = () => maxCounts(job.objects, resume?.counts ?? {}, countsOf(job.objects, detected));

  const detected: Detections[] = [];
  const pending: Buffer[] = []; // frames since the last detected one, waiting for the next
  let previous: Box[] | undefined;
  let frames = 0;
  let lastProgress = -1;

  const write = (frame: Buffer) => chunks.write(frame);
  const detectFrame = async (frame: Buffer) => {
    const found = await d.detect(frame, info.width, info.height, ...detectionOf(job));
    detected.push(found);
    return boxesToHide(found, job);
  };
  const flushBetween = async (current: Box[]) => {
    const cover = coverBetween(previous ?? current, current);
    for (const frame of pending) {
      redact(frame, info.width, info.height, 3, cover, job.method);
      await write(frame);
    }
    pending.length = 0;
  };
  const report = () => {
    if (!expectedFrames || !job.progressPort) return;
    const progress = Math.min(99, Math.floor((frames / expectedFrames) * 100));
    if (progress >= lastProgress + 5) {
      lastProgress = progress;
      job.progressPort.postMessage({ progress });
    }
  };

  let carry: Buffer = Buffer.alloc(0);
  let lastFrame: Buffer | undefined;
  for await (const chunk of decoder.stdout as AsyncIterable<Buffer>) {
    carry = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    while (carry.length >= frameBytes) {
      if (frames < skip) {
        carry = carry.subarray(frameBytes);
        frames++;
        continue;
      }
      const frame: Buffer = Buffer.from(carry.subarray(0, frameBytes));
      carry = carry.subarray(frameBytes);
      if (frames % DETECT_EVERY === 0) {
        const boxes = await detectFrame(frame);
        await flushBetween(boxes);
        await chunks.cut(frames, totalCounts());
        redact(frame, info.width, info.height, 3, boxes, job.method);
        await write(frame);
        previous = boxes;
        lastFrame = undefined;
      } else {
        pending.push(frame);
        lastFrame = frame;
      }
      frames++;
      report();
    }
  }
  if (pending.length > 0 && lastFrame) {
    // The tail after the last detected frame: detect its last frame so the union has both sides.
    const copy = Buffer.from(lastFrame);
    const boxes = await detectFrame(copy);
    await flushBetween(boxes);
  }
  const decoded = await decoderExit;
  if (decoded !== 0 || frames === 0) {
    chunks.abort();
    throw engineFailure('UNPROCESSABLE', `The video could not be decoded: ${decoderErr() || 'no frames'}`);
  }
  await concatChunks(ffmpeg, await chunks.finish(), chunkDir, job.inputPath, info.hasAudio, job.outputPath).catch((error: FfmpegError) => {
    throw new Error(`ffmpeg could not encode the result: ${error.reason ?? error.message}`);
  });
  return {
    counts: totalCounts(),
    contentType: 'video/mp4',
    width: info.width,
    height: info.height,
    frames,
    durationS: info.durationS,
    engine: Detector.ENGINE,
    engineVersion: `${d.engineVersion}; ffmpeg libx264`,
    engineMs: Math.round(performance.now() - started),
  };
}
