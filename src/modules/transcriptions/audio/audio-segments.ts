import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { TranscriptSegment, TranscriptWord } from '../engine/transcriber';
import { ENGINE_SAMPLE_RATE } from './audio-converter';

/**
 * Long audio is transcribed in segments of about SEGMENT_S (5) seconds, each cut at the quietest
 * moment near its target end, so a cut rarely falls inside a word. Each finished segment is
 * checkpointed on the row: a redelivered transcription (worker killed, deploy) resumes after the
 * last finished segment instead of starting over. The cuts depend only on the samples, so every
 * attempt cuts the same audio at the same places and the transcript is the same whichever
 * attempt wrote which segment.
 */
export const SEGMENT_S = 5;
/** How far from the target end a cut may move to find silence. */
export const CUT_SEARCH_S = 1.5;
/** A last piece shorter than this joins the previous segment. */
export const MIN_TAIL_S = 3;
/** The energy window the quietest moment is chosen by (10 ms steps). */
const WINDOW_S = 0.1;
const STEP_S = 0.01;

const HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;
const BYTES_PER_SECOND = ENGINE_SAMPLE_RATE * BYTES_PER_SAMPLE;

export interface AudioSegment {
  startS: number;
  endS: number;
}

/** One segment's transcript, times relative to the whole audio. */
export interface SegmentTranscript extends AudioSegment {
  text: string;
  segments: TranscriptSegment[];
  words: TranscriptWord[];
}

/** What the row keeps between attempts: the cuts, and the transcripts of the segments finished so far, in order. */
export interface TranscriptionCheckpoint {
  durationS: number;
  cuts: AudioSegment[];
  done: SegmentTranscript[];
}

/** The sample index (on the 10 ms grid) of the quietest WINDOW_S window in `pcm` (s16le), relative to its start. */
export function quietestOffset(pcm: Buffer): number {
  const samples = Math.floor(pcm.length / BYTES_PER_SAMPLE);
  const window = Math.round(WINDOW_S * ENGINE_SAMPLE_RATE);
  const step = Math.round(STEP_S * ENGINE_SAMPLE_RATE);
  if (samples <= window) return Math.floor(samples / 2);
  // Energy per 10 ms step, then a sliding sum of WINDOW_S / STEP_S steps.
  const steps = Math.floor(samples / step);
  const energy = new Float64Array(steps);
  for (let s = 0; s < steps; s++) {
    let sum = 0;
    for (let i = s * step; i < (s + 1) * step; i++) {
      const v = pcm.readInt16LE(i * BYTES_PER_SAMPLE);
      sum += v * v;
    }
    energy[s] = sum;
  }
  const per = window / step;
  let best = 0;
  let bestSum = Infinity;
  let sum = 0;
  for (let s = 0; s < steps; s++) {
    sum += energy[s];
    if (s >= per) sum -= energy[s - per];
    // Strictly lower: ties keep the earliest, so the choice is deterministic.
    if (s >= per - 1 && sum < bestSum) {
      bestSum = sum;
      best = s - per + 1;
    }
  }
  // The cut lands mid-window, the quietest point.
  return best * step + Math.floor(window / 2);
}

/**
 * Cuts `durationS` of audio into segments of about SEGMENT_S seconds; `readPcm(startS, endS)`
 * answers the samples around each target end, where the quietest moment is chosen.
 */
export async function planSegments(
  durationS: number,
  readPcm: (startS: number, endS: number) => Promise<Buffer>,
  segmentS = SEGMENT_S,
): Promise<AudioSegment[]> {
  const segments: AudioSegment[] = [];
  let start = 0;
  while (durationS - start > segmentS + MIN_TAIL_S) {
    const from = start + segmentS - CUT_SEARCH_S;
    const to = start + segmentS + CUT_SEARCH_S;
    const offset = quietestOffset(await readPcm(from, to));
    const cut = roundS(from + offset / ENGINE_SAMPLE_RATE);
    segments.push({ startS: start, endS: cut });
    start = cut;
  }
  segments.push({ startS: start, endS: roundS(durationS) });
  return segments;
}

const roundS = (s: number) => Math.round(s * 1000) / 1000;

/** Reads the samples between two times of a canonical 44-byte-header WAV (the converter's output). */
export async function readWavPcm(path: string, startS: number, endS: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const from = HEADER_BYTES + Math.floor(startS * ENGINE_SAMPLE_RATE) * BYTES_PER_SAMPLE;
    const length = Math.max(0, Math.floor((endS - startS) * ENGINE_SAMPLE_RATE) * BYTES_PER_SAMPLE);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, from);
    return buffer.subarray(0, bytesRead - (bytesRead % BYTES_PER_SAMPLE));
  } finally {
    await file.close();
  }
}

/** A canonical 44-byte header for `dataBytes` of 16 kHz mono s16le. */
export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(ENGINE_SAMPLE_RATE, 24);
  h.writeUInt32LE(BYTES_PER_SECOND, 28);
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Writes one segment of a canonical WAV as a WAV of its own (streamed, never whole in memory). */
export async function writeSegmentWav(source: string, segment: AudioSegment, output: string): Promise<void> {
  const start = HEADER_BYTES + Math.round(segment.startS * ENGINE_SAMPLE_RATE) * BYTES_PER_SAMPLE;
  const end = HEADER_BYTES + Math.round(segment.endS * ENGINE_SAMPLE_RATE) * BYTES_PER_SAMPLE;
  const out = createWriteStream(output);
  out.write(wavHeader(end - start));
  await pipeline(createReadStream(source, { start, end: end - 1 }), out);
}

/** Shifts a segment's transcript (times relative to the segment) to the whole audio's times. */
export function offsetTranscript(
  segment: AudioSegment,
  transcript: { text: string; segments: TranscriptSegment[]; words?: TranscriptWord[] },
): SegmentTranscript {
  const shift = (s: number) => roundS(s + segment.startS);
  return {
    ...segment,
    text: transcript.text,
    segments: transcript.segments.map((s) => ({ ...s, start_s: shift(s.start_s), end_s: shift(s.end_s) })),
    words: (transcript.words ?? []).map((w) => ({ ...w, start_s: shift(w.start_s), end_s: shift(w.end_s) })),
  };
}

/** The whole transcript from the segments' transcripts, in order. */
export function joinTranscripts(parts: readonly SegmentTranscript[]): { text: string; segments: TranscriptSegment[]; words: TranscriptWord[] } {
  return {
    text: parts
      .map((p) => p.text)
      .filter(Boolean)
      .join(' '),
    segments: parts.flatMap((p) => p.segments),
    words: parts.flatMap((p) => p.words),
  };
}

/** The checkpoint a redelivery may resume from: only one made for the same audio (same duration and cuts). */
export function usableCheckpoint(checkpoint: TranscriptionCheckpoint | null | undefined, durationS: number, cuts: readonly AudioSegment[]): SegmentTranscript[] {
  if (!checkpoint || Math.abs(checkpoint.durationS - durationS) > 1e-3 || checkpoint.cuts.length !== cuts.length) return [];
  if (checkpoint.cuts.some((c, i) => c.startS !== cuts[i].startS || c.endS !== cuts[i].endS)) return [];
  const done: SegmentTranscript[] = [];
  for (const d of checkpoint.done) {
    const cut = cuts[done.length];
    if (!cut || d.startS !== cut.startS || d.endS !== cut.endS) break;
    done.push(d);
  }
  return done;
}
