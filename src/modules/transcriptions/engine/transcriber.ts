/** One timed utterance of a transcript. */
export interface TranscriptSegment {
  start_s: number;
  end_s: number;
  text: string;
}

export interface TranscriptWord {
  word: string;
  start_s: number;
  end_s: number;
  /** The engine's posterior probability, 0..1. */
  confidence: number;
}

export interface Transcript {
  text: string;
  segments: TranscriptSegment[];
  words?: TranscriptWord[];
  engine: string;
  language: string;
}

/** Whether the engine can run here; `detail` names what to install when it cannot. */
export type EngineState = { installed: true; engine: string } | { installed: false; engine: string; detail: string };

export interface TranscribeOptions {
  /** ISO 639-1 code of the speech. */
  language: string;
  /** The audio's length, for the timeout and for progress. */
  durationS: number;
  /** Aborted on shutdown: the engine process is killed and the call rejects. */
  signal: AbortSignal;
  /** Seconds of audio transcribed so far, as the engine reports it. */
  onProgress?: (doneS: number) => void;
}

/**
 * A speech-to-text engine: 16 kHz mono s16 WAV in, transcript out. Implementations run the
 * engine off the event loop (a child process) and must honour the signal. Adding an engine is
 * one class plus one line in transcriber.provider.ts (see docs/transcriptions.md).
 */
export abstract class Transcriber {
  abstract readonly name: string;

  /** Checks the engine's binary and model files; cheap enough to call before every job. */
  abstract check(): Promise<EngineState>;

  abstract transcribe(wavPath: string, options: TranscribeOptions): Promise<Transcript>;
}

/** The engine is missing; the message names what to install. Never worth a retry. */
export class EngineNotInstalledError extends Error {
  constructor(detail: string) {
    super(`speech-to-text engine not installed: ${detail}`);
    this.name = 'EngineNotInstalledError';
  }
}

/** The engine process ran past its time budget and was killed. */
export class EngineTimeoutError extends Error {
  constructor(engine: string, timeoutMs: number) {
    super(`${engine} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`);
    this.name = 'EngineTimeoutError';
  }
}

/** The engine process was stopped because the worker is shutting down; the message is requeued. */
export class EngineInterruptedError extends Error {
  constructor(engine: string) {
    super(`${engine} was stopped by the worker's shutdown; the transcription is retried`);
    this.name = 'EngineInterruptedError';
  }
}

/**
 * How long the engine may run on `durationS` of audio: a fixed start-up allowance (loading a
 * 37 MB model) plus three times real time, against a measured 0.2–0.5 real-time factor per core.
 */
export function engineTimeoutMs(durationS: number): number {
  return 60_000 + Math.ceil(durationS * 3_000);
}
