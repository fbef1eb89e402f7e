import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  joinTranscripts,
  offsetTranscript,
  planSegments,
  quietestOffset,
  readWavPcm,
  SEGMENT_S,
  usableCheckpoint,
  wavHeader,
  writeSegmentWav,
} from './audio-segments';

const RATE = 16_000;

/** Loud noise everywhere except silent gaps (start, end in seconds). */
function pcm(durationS: number, gaps: [number, number][]): Buffer {
  const samples = Math.round(durationS * RATE);
  const out = Buffer.alloc(samples * 2);
  let seed = 1;
  for (let i = 0; i < samples; i++) {
    const t = i / RATE;
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const silent = gaps.some(([a, b]) => t >= a && t < b);
    out.writeInt16LE(silent ? 0 : (seed % 20000) - 10000, i * 2);
  }
  return out;
}

describe('audio segments', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'segments-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds the quietest moment of a window', () => {
    const samples = pcm(4, [[2.5, 2.8]]);
    const at = quietestOffset(samples) / RATE;
    expect(at).toBeGreaterThanOrEqual(2.5);
    expect(at).toBeLessThanOrEqual(2.8);
  });

  it('cuts about every segment length at silences, the last piece joining when short', async () => {
    const audio = pcm(25, [
      [9.0, 9.3],
      [20.5, 20.8],
    ]);
    const read = async (from: number, to: number) => audio.subarray(Math.floor(from * RATE) * 2, Math.floor(to * RATE) * 2);
    const cuts = await planSegments(25, read, 10);
    expect(cuts).toHaveLength(3);
    expect(cuts[0].startS).toBe(0);
    expect(cuts[0].endS).toBeGreaterThanOrEqual(9.0);
    expect(cuts[0].endS).toBeLessThanOrEqual(9.3);
    expect(cuts[1].startS).toBe(cuts[0].endS);
    expect(cuts[1].endS).toBeGreaterThanOrEqual(20.5);
    expect(cuts[1].endS).toBeLessThanOrEqual(20.8);
    // 4.4 s left: under 10 s + MIN_TAIL_S, so it is the last piece.
    expect(cuts[2]).toEqual({ startS: cuts[1].endS, endS: 25 });
    // The same samples, the same cuts.
    expect(await planSegments(25, read, 10)).toEqual(cuts);
    expect(await planSegments(SEGMENT_S + 2, read)).toEqual([{ startS: 0, endS: SEGMENT_S + 2 }]);
  });

  it('writes a segment as a WAV of its own and reads samples back by time', async () => {
    const audio = pcm(3, []);
    const source = join(dir, 'a.wav');
    await writeFile(source, Buffer.concat([wavHeader(audio.length), audio]));
    expect((await readWavPcm(source, 1, 2)).equals(audio.subarray(RATE * 2, RATE * 4))).toBe(true);
    const out = join(dir, 'b.wav');
    await writeSegmentWav(source, { startS: 1, endS: 2.5 }, out);
    const written = await readFile(out);
    expect(written.readUInt32LE(40)).toBe(1.5 * RATE * 2);
    expect(written.subarray(44).equals(audio.subarray(RATE * 2, RATE * 5))).toBe(true);
  });

  it('shifts segment transcripts to the whole audio and joins them in order', () => {
    const a = offsetTranscript({ startS: 0, endS: 9.5 }, { text: 'the fox', segments: [{ start_s: 1, end_s: 2, text: 'the fox' }], words: [{ word: 'fox', start_s: 1.5, end_s: 2, confidence: 0.9 }] });
    const b = offsetTranscript({ startS: 9.5, endS: 20 }, { text: 'jumps', segments: [{ start_s: 0.5, end_s: 1, text: 'jumps' }] });
    const silent = offsetTranscript({ startS: 20, endS: 25 }, { text: '', segments: [] });
    expect(b.segments[0]).toEqual({ start_s: 10, end_s: 10.5, text: 'jumps' });
    expect(joinTranscripts([a, b, silent])).toEqual({
      text: 'the fox jumps',
      segments: [
        { start_s: 1, end_s: 2, text: 'the fox' },
        { start_s: 10, end_s: 10.5, text: 'jumps' },
      ],
      words: [{ word: 'fox', start_s: 1.5, end_s: 2, confidence: 0.9 }],
    });
  });

  it('resumes only from a checkpoint of the same audio, and only its finished prefix', () => {
    const cuts = [
      { startS: 0, endS: 9.5 },
      { startS: 9.5, endS: 20 },
    ];
    const first = offsetTranscript(cuts[0], { text: 'a', segments: [] });
    expect(usableCheckpoint({ durationS: 20, cuts, done: [first] }, 20, cuts)).toEqual([first]);
    expect(usableCheckpoint(null, 20, cuts)).toEqual([]);
    expect(usableCheckpoint({ durationS: 21, cuts, done: [first] }, 20, cuts)).toEqual([]);
    expect(usableCheckpoint({ durationS: 20, cuts: [cuts[0], { startS: 9.5, endS: 19 }], done: [first] }, 20, cuts)).toEqual([]);
  });
});
