import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { FfmpegError } from '../../core/media/ffmpeg';
import { ObjectStorage } from '../../core/storage/object-storage';
import type { WorkRun } from '../../core/workload/workload-lifecycle';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import { convertForEngine } from './audio/audio-converter';
import { type AudioSegment, joinTranscripts, offsetTranscript, planSegments, readWavPcm, usableCheckpoint, writeSegmentWav } from './audio/audio-segments';
import { SpeechToText } from './engine/speech-to-text.service';
import { EngineInterruptedError, EngineNotInstalledError } from './engine/transcriber';
import type { TranscriptionEntity } from './entities/transcription.entity';
import { TranscriptionsError } from './transcriptions.errors';
import { TranscriptionsRepository } from './transcriptions.repository';
import { TRANSCRIPTIONS_WORKLOAD } from './transcriptions.workload';

/** The row's heartbeat while the engine runs, so the sweeper leaves live work alone. */
const HEARTBEAT_MS = 10_000;

/**
 * The worker's side: fetch the audio, convert it with the shared ffmpeg, transcribe it in
 * segments of about 5 s (audio-segments.ts), store. Each finished segment is checkpointed on the
 * row, so a redelivered message (a worker killed, a deploy) resumes after the last finished
 * segment; the cuts depend only on the audio and the engine is deterministic, so the result is the
 * same whichever attempt did which segment, and a retry never duplicates anything. Permanent failures (no engine, undecodable or over-long audio) throw a
 * non-retryable TranscriptionsError: the consumer dead-letters it and the row is failed with
 * that reason.
 */
@Injectable()
export class TranscriptionsProcessingService {
  private readonly logger = new Logger(TranscriptionsProcessingService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly transcriptions: TranscriptionsRepository,
    private readonly storage: ObjectStorage,
    private readonly speech: SpeechToText,
    @InjectWorkload(TRANSCRIPTIONS_WORKLOAD) private readonly workload: WorkloadLifecycle<TranscriptionEntity>,
  ) {}

  /** One delivery's work (the lifecycle started the row); answers the completed row, or null when it was deleted meanwhile. */
  async transcribe(run: WorkRun<TranscriptionEntity>): Promise<TranscriptionEntity | null> {
    const { row, signal } = run;
    const id = row.id;

    const engine = await this.speech.engineState();
    if (!engine.installed) throw TranscriptionsError.unprocessable(new EngineNotInstalledError(engine.detail).message);
    if (!this.config.ffmpegPath) {
      throw TranscriptionsError.unprocessable('speech-to-text engine not installed: no ffmpeg for this platform; set FFMPEG_PATH (e.g. /usr/bin/ffmpeg from the Debian package ffmpeg)');
    }

    const dir = await mkdtemp(join(tmpdir(), 'horizon-stt-'));
    try {
      const input = join(dir, 'input');
      await this.download(row, input);
      const audio = await this.convert(input, join(dir, 'audio.wav'), signal);
      await this.transcriptions.heartbeat(id, { durationS: audio.durationS });
      await this.workload.emit(row, 'transcribing');
      const transcript = await this.runSegments(run, dir, audio.path, audio.durationS);
      await run.checkpoint();
      return await this.transcriptions.complete(id, {
        text: transcript.text,
        segments: transcript.segments,
        words: transcript.words ?? [],
        engine: transcript.engine,
        durationS: audio.durationS,
        warnings: audio.warnings,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async download(row: TranscriptionEntity, path: string): Promise<void> {
    if (!(await this.storage.stat(row.objectKey))) throw TranscriptionsError.unprocessable('The uploaded audio is missing from storage.');
    await pipeline(await this.storage.get(row.objectKey), createWriteStream(path));
  }

  private async convert(input: string, output: string, signal: AbortSignal) {
    const maxDurationS = this.config.stt.maxDurationS;
    let audio;
    try {
      audio = await convertForEngine(this.config.ffmpegPath!, input, output, { maxDurationS, signal });
    } catch (error) {
      if (signal.aborted) throw new EngineInterruptedError('ffmpeg');
      if (error instanceof FfmpegError) throw TranscriptionsError.unprocessable(`The audio could not be decoded: ${error.reason}`);
      throw error;
    }
    if (audio.durationS > maxDurationS) {
      throw TranscriptionsError.unprocessable(
        `The audio is longer than ${maxDurationS} s (STT_MAX_DURATION_S); split it or raise the limit.`,
      );
    }
    return audio;
  }

  /**
   * Transcribes segment after segment, skipping those an earlier attempt checkpointed, and
   * checkpoints each one it finishes. Answers the whole transcript.
   */
  private async runSegments(run: WorkRun<TranscriptionEntity>, dir: string, wavPath: string, durationS: number) {
    const { row } = run;
    const cuts = await planSegments(durationS, (from, to) => readWavPcm(wavPath, from, to));
    const done = usableCheckpoint(await this.transcriptions.loadCheckpoint(row.id), durationS, cuts);
    if (done.length > 0) this.logger.log(`transcription ${row.id}: resuming after ${done.length} of ${cuts.length} segment(s) (${done.at(-1)!.endS} s)`);
    let engine = this.speech.engineName;
    for (const cut of cuts.slice(done.length)) {
      const segmentPath = join(dir, `segment-${done.length}.wav`);
      await writeSegmentWav(wavPath, cut, segmentPath);
      const transcript = await this.runEngine(run, segmentPath, cut, durationS);
      await rm(segmentPath, { force: true });
      engine = transcript.engine;
      done.push(offsetTranscript(cut, transcript));
      if (!(await this.transcriptions.saveCheckpoint(row.id, { durationS, cuts, done }))) await run.checkpoint();
    }
    return { ...joinTranscripts(done), engine };
  }

  /**
   * Runs the engine on one segment with progress from its utterance timestamps (a write at most
   * every second) and a heartbeat.
   */
  private async runEngine(run: WorkRun<TranscriptionEntity>, wavPath: string, cut: AudioSegment, durationS: number) {
    const { row, signal } = run;
    // A redelivered message resumes at a segment's start; progress stays where it was until
    // passed (run.progress never lowers it).
    let progress = row.progress;
    let written = row.progress;
    let lastWrite = Date.now();
    // Writes run one after another and are all settled before the result is stored, so no
    // progress event can follow the `completed` one.
    let writes = Promise.resolve();
    const write = (emit: boolean) => {
      lastWrite = Date.now();
      const value = progress;
      writes = writes
        .then(() => run.progress(value, { silent: !emit }))
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`transcription ${row.id}: progress not saved: ${error.message}`));
    };
    const heartbeat = setInterval(() => write(false), HEARTBEAT_MS);
    try {
      const transcript = await this.speech.transcribe(wavPath, {
        language: row.language,
        durationS: cut.endS - cut.startS,
        signal,
        onProgress: (doneS) => {
          // 99 at most: 100 means stored, which only `completed` says.
          progress = Math.max(progress, Math.min(99, Math.floor(((cut.startS + doneS) / durationS) * 100)));
          const step = Math.floor(progress / 10) > Math.floor(written / 10);
          if (step || Date.now() - lastWrite >= 1000) {
            written = progress;
            write(step);
          }
        },
      });
      // The segment's end, shown once it is checkpointed (the engine's last utterance may end earlier).
      progress = Math.max(progress, Math.min(99, Math.floor((cut.endS / durationS) * 100)));
      if (progress > written) {
        written = progress;
        write(true);
      }
      return transcript;
    } catch (error) {
      if (error instanceof EngineNotInstalledError) throw TranscriptionsError.unprocessable(error.message);
      throw error;
    } finally {
      clearInterval(heartbeat);
      await writes;
    }
  }
}
