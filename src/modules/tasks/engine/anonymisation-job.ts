import type { MessagePort } from 'node:worker_threads';
import type { TaskMethod, TaskObject } from '../entities/task.entity';
import type { VideoResume } from './video-chunks';

/**
 * The processor's internal job description, handed to an engine thread: local files and plain
 * values only (it crosses a thread boundary by structured clone), none of the task's
 * ownership or storage details, and nothing the engine could use to reach the database.
 */
export interface AnonymisationJob {
  kind: 'image' | 'video';
  inputPath: string;
  outputPath: string;
  objects: TaskObject[];
  method: TaskMethod;
  quality: number;
  /** Images: the decoder refuses more pixels than this before decoding. */
  maxPixels: number;
  /** Hide whole vehicles when plates are asked for (the stricter plate option). */
  platesHideVehicle: boolean;
  /** Strict plates (also hide the lower half of every vehicle): for videos only, always or never. */
  platesStrict?: 'video' | 'always' | 'never';
  /** Videos only. */
  ffmpegPath?: string;
  /**
   * Videos only: receives `{ progress }` (0-100) as frames are done, and `{ chunk }` (a VideoChunk)
   * as each chunk of the result is finished, for the processor to checkpoint.
   */
  progressPort?: MessagePort;
  /** Videos only: where the chunks are written (default: beside the output), how many frames each holds (a multiple of DETECT_EVERY), and what a redelivery resumes from. */
  chunks?: { dir?: string; chunkFrames?: number; resume?: VideoResume };
}

export interface AnonymisationOutcome {
  /** Per requested type: objects hidden (for videos, the most seen at once in one frame). */
  counts: Record<TaskObject, number>;
  contentType: string;
  width: number;
  height: number;
  frames: number | null;
  durationS: number | null;
  engine: string;
  engineVersion: string;
  /** Engine time for the job, model loading excluded. */
  engineMs: number;
}

/**
 * Errors crossing the thread boundary lose their class, so the kind travels in the message:
 * `ENGINE_UNAVAILABLE: ...` or `UNPROCESSABLE: ...`; anything else is an unexpected failure.
 */
export type EngineFailureKind = 'ENGINE_UNAVAILABLE' | 'UNPROCESSABLE';

export function engineFailure(kind: EngineFailureKind, reason: string): Error {
  return new Error(`${kind}: ${reason}`);
}

export function parseEngineFailure(error: unknown): { kind: EngineFailureKind; reason: string } | undefined {
  // Not `instanceof Error`: an error cloned from another thread may come from another realm.
  const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
  const m = /^(ENGINE_UNAVAILABLE|UNPROCESSABLE): ([\s\S]*)$/.exec(message);
  return m ? { kind: m[1] as EngineFailureKind, reason: m[2] } : undefined;
}
