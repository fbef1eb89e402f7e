import { stat } from 'node:fs/promises';
import { FfmpegError, parseFfmpegDuration, runFfmpeg } from '../../../core/media/ffmpeg';

/** What every engine receives: 16 kHz, mono, signed 16-bit PCM in a canonical 44-byte WAV. */
export const ENGINE_SAMPLE_RATE = 16_000;
const WAV_HEADER_BYTES = 44;
const BYTES_PER_SECOND = ENGINE_SAMPLE_RATE * 2;

export interface ConvertedAudio {
  path: string;
  /** Measured on the converted samples, not read from the input's (possibly wrong) header. */
  durationS: number;
  /** The input's own duration as ffmpeg reported it, when it did. */
  declaredDurationS?: number;
}

/**
 * Decodes any supported input to the engine's format with the shared ffmpeg. At most
 * `maxDurationS + 1` seconds are decoded, so an over-long file costs a bounded amount of work
 * and is still recognised as too long. Rejects with an FfmpegError carrying ffmpeg's own reason.
 */
export async function convertForEngine(
  ffmpegPath: string,
  input: string,
  output: string,
  options: { maxDurationS: number; signal?: AbortSignal },
): Promise<ConvertedAudio> {
  const stderr = await runFfmpeg(
    ffmpegPath,
    [
      '-y',
      '-i', input,
      '-t', String(options.maxDurationS + 1),
      '-vn', '-map_metadata', '-1', '-bitexact',
      '-ac', '1', '-ar', String(ENGINE_SAMPLE_RATE), '-sample_fmt', 's16', '-c:a', 'pcm_s16le',
      output,
    ],
    // Decoding runs at hundreds of times real time; a minute covers an hour of audio.
    { signal: options.signal, timeoutMs: 60_000 + options.maxDurationS * 50 },
  );
  const { size } = await stat(output);
  const durationS = Math.max(0, size - WAV_HEADER_BYTES) / BYTES_PER_SECOND;
  if (durationS === 0) throw new FfmpegError('ffmpeg decoded no audio', 'the file holds no audio samples');
  return { path: output, durationS: Math.round(durationS * 1000) / 1000, declaredDurationS: parseFfmpegDuration(stderr) };
}
