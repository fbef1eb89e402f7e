import { stat } from 'node:fs/promises';
import { FfmpegError, parseFfmpegDuration, runFfmpeg } from '../../../core/media/ffmpeg';

/** What every engine receives: 16 kHz, mono, signed 16-bit PCM in a canonical 44-byte WAV. */
export const ENGINE_SAMPLE_RATE = 16_000;
const WAV_HEADER_BYTES = 44;
const BYTES_PER_SECOND = ENGINE_SAMPLE_RATE * 2;

/**
 * The ffmpeg filter applied on the way to the engine, kept because it lowered the word error rate
 * of `npm run eval:transcriptions` (figures in docs/transcriptions.md); undefined for none.
 */
export const ENGINE_AUDIO_FILTER: string | undefined = undefined;

/** The warning a transcription carries when its audio lacks the band the acoustic model was trained on. */
export const NARROWBAND_WARNING = 'narrowband audio: accuracy will be low';

/**
 * Telephone audio (8 kHz sampling, or anything band-limited below ~4 kHz) holds nothing above
 * 4 kHz; the en-us model was trained on 16 kHz speech, whose 5–8 kHz band sits 20–35 dB below the
 * whole signal. Measured on the evaluation's clips: wideband −11 to −35 dB, telephone −60 dB.
 */
const NARROWBAND_MAX_HIGH_BAND_DB = -45;
/** Below this overall level the clip is (nearly) silent and says nothing about its bandwidth. */
const SILENCE_DB = -60;
/** Inputs sampled below this cannot carry the band the model needs, whatever they hold. */
const NARROWBAND_MAX_SAMPLE_RATE = 12_000;

export interface ConvertedAudio {
  path: string;
  /** Measured on the converted samples, not read from the input's (possibly wrong) header. */
  durationS: number;
  /** The input's own duration as ffmpeg reported it, when it did. */
  declaredDurationS?: number;
  /** The input's sampling rate as ffmpeg reported it, when it did. */
  inputSampleRate?: number;
  /** Energy above 5 kHz relative to the whole signal, in dB; undefined for (near) silence. */
  highBandDb?: number;
  /** True when the audio lacks the band above 4 kHz (telephone speech): the engine will garble it. */
  narrowband: boolean;
  /** What the transcription tells its user about the audio (NARROWBAND_WARNING); empty when all is well. */
  warnings: string[];
}

export interface ConvertOptions {
  maxDurationS: number;
  signal?: AbortSignal;
  /** An ffmpeg audio filter chain applied before resampling; ENGINE_AUDIO_FILTER unless given (null: none). */
  filter?: string | null;
}

/**
 * Decodes any supported input to the engine's format with the shared ffmpeg, then measures its
 * bandwidth. At most `maxDurationS + 1` seconds are decoded, so an over-long file costs a
 * bounded amount of work and is still recognised as too long. Rejects with an FfmpegError
 * carrying ffmpeg's own reason.
 */
export async function convertForEngine(ffmpegPath: string, input: string, output: string, options: ConvertOptions): Promise<ConvertedAudio> {
  const filter = options.filter === undefined ? ENGINE_AUDIO_FILTER : options.filter;
  // Decoding runs at hundreds of times real time; a minute covers an hour of audio.
  const timeoutMs = 60_000 + options.maxDurationS * 50;
  const stderr = await runFfmpeg(
    ffmpegPath,
    [
      '-y',
      '-i', input,
      '-t', String(options.maxDurationS + 1),
      '-vn', '-map_metadata', '-1', '-bitexact',
      ...(filter ? ['-af', filter] : []),
      '-ac', '1', '-ar', String(ENGINE_SAMPLE_RATE), '-sample_fmt', 's16', '-c:a', 'pcm_s16le',
      output,
    ],
    { signal: options.signal, timeoutMs },
  );
  const { size } = await stat(output);
  const durationS = Math.max(0, size - WAV_HEADER_BYTES) / BYTES_PER_SECOND;
  if (durationS === 0) throw new FfmpegError('ffmpeg decoded no audio', 'the file holds no audio samples');
  const inputSampleRate = parseInputSampleRate(stderr);
  const highBandDb = await measureHighBand(ffmpegPath, output, { signal: options.signal, timeoutMs });
  const narrowband = isNarrowband(inputSampleRate, highBandDb);
  return {
    path: output,
    durationS: Math.round(durationS * 1000) / 1000,
    declaredDurationS: parseFfmpegDuration(stderr),
    inputSampleRate,
    highBandDb,
    narrowband,
    warnings: narrowband ? [NARROWBAND_WARNING] : [],
  };
}

export function isNarrowband(inputSampleRate: number | undefined, highBandDb: number | undefined): boolean {
  if (inputSampleRate !== undefined && inputSampleRate < NARROWBAND_MAX_SAMPLE_RATE) return true;
  return highBandDb !== undefined && highBandDb < NARROWBAND_MAX_HIGH_BAND_DB;
}

/** The first audio stream's rate in ffmpeg's banner: `Stream #0:0: Audio: pcm_s16le, 8000 Hz, mono`. */
export function parseInputSampleRate(stderr: string): number | undefined {
  const inputPart = stderr.split(/^Output #/m)[0];
  const m = /Stream #\d+:\d+.*?: Audio: .*?(\d+) Hz/.exec(inputPart);
  return m ? Number(m[1]) : undefined;
}

/**
 * One more pass over the converted file (16 kHz mono, so it costs milliseconds a minute): the
 * RMS level of the whole signal and of the part above 5 kHz (four cascaded high-pass filters,
 * −48 dB/octave, so the speech below 4 kHz does not leak in).
 */
async function measureHighBand(ffmpegPath: string, wav: string, options: { signal?: AbortSignal; timeoutMs: number }): Promise<number | undefined> {
  const highPass = Array.from({ length: 4 }, () => 'highpass=f=5000').join(',');
  const stderr = await runFfmpeg(
    ffmpegPath,
    ['-i', wav, '-filter_complex', `asplit[all][high];[all]astats,anullsink;[high]${highPass},astats,anullsink`, '-f', 'null', '-'],
    options,
  );
  const levels = new Map<string, number>();
  for (const m of stderr.matchAll(/\[Parsed_astats_(\d+) @ [^\]]+\] RMS level dB: (-?inf|-?\d+(?:\.\d+)?)/g)) {
    levels.set(m[1], m[2].endsWith('inf') ? -Infinity : Number(m[2]));
  }
  const [whole, high] = [...levels.entries()].sort(([a], [b]) => Number(a) - Number(b)).map(([, db]) => db);
  if (whole === undefined || high === undefined || !(whole > SILENCE_DB)) return undefined;
  return Math.round((Math.max(high, -120) - whole) * 10) / 10;
}
