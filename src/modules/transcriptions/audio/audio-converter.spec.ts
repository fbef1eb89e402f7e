import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIO_FIXTURES_DIR } from '../../../../test/factories/audio-fixtures';
import { defaultFfmpegPath, runFfmpeg } from '../../../core/media/ffmpeg';
import { convertForEngine, isNarrowband, NARROWBAND_WARNING, parseInputSampleRate } from './audio-converter';

// The real ffmpeg on the fixtures: the detector is only worth what it does on real audio.
describe('convertForEngine: narrowband detection', () => {
  const ffmpeg = defaultFfmpegPath()!;
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'horizon-converter-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const convert = (input: string) => convertForEngine(ffmpeg, input, join(dir, `${Math.random()}.wav`), { maxDurationS: 60 });

  it.each(['fox.wav', 'report.wav', 'weather.ogg'])('leaves wideband speech (%s) unflagged', async (name) => {
    const audio = await convert(join(AUDIO_FIXTURES_DIR, name));
    expect(audio).toMatchObject({ narrowband: false, warnings: [] });
    expect(audio.highBandDb).toBeGreaterThan(-40);
  });

  it('flags an 8 kHz telephone recording, from its sampling rate and its empty high band', async () => {
    const audio = await convert(join(AUDIO_FIXTURES_DIR, 'report-telephone.wav'));
    expect(audio).toMatchObject({ inputSampleRate: 8000, narrowband: true, warnings: [NARROWBAND_WARNING] });
    expect(audio.highBandDb).toBeLessThan(-50);
    expect(audio.durationS).toBeCloseTo(4.47, 1);
  });

  it('flags telephone speech even when it was resampled to 44.1 kHz (nothing above 4 kHz)', async () => {
    const upsampled = join(dir, 'upsampled.flac');
    await runFfmpeg(ffmpeg, ['-y', '-i', join(AUDIO_FIXTURES_DIR, 'report-telephone.wav'), '-ar', '44100', upsampled]);
    const audio = await convert(upsampled);
    expect(audio).toMatchObject({ inputSampleRate: 44100, narrowband: true, warnings: [NARROWBAND_WARNING] });
  });

  it('says nothing about silence, whose bandwidth cannot be told', async () => {
    const silence = join(dir, 'silence.wav');
    await runFfmpeg(ffmpeg, ['-y', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '2', silence]);
    expect(await convert(silence)).toMatchObject({ highBandDb: undefined, narrowband: false, warnings: [] });
  });
});

describe('narrowband rules', () => {
  it('reads the input stream rate from the banner, not the output one', () => {
    const banner = [
      "Input #0, wav, from 'call.wav':",
      '  Duration: 00:00:04.47, bitrate: 128 kb/s',
      '    Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 8000 Hz, mono, s16, 128 kb/s',
      "Output #0, wav, to 'audio.wav':",
      '    Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 16000 Hz, mono, s16, 256 kb/s',
    ].join('\n');
    expect(parseInputSampleRate(banner)).toBe(8000);
    expect(parseInputSampleRate('no banner')).toBeUndefined();
  });

  it('flags a low sampling rate or an empty high band, and needs one of them', () => {
    expect(isNarrowband(8000, undefined)).toBe(true);
    expect(isNarrowband(11025, -30)).toBe(true);
    expect(isNarrowband(16000, -60)).toBe(true);
    expect(isNarrowband(44100, -30)).toBe(false);
    expect(isNarrowband(undefined, undefined)).toBe(false);
  });
});
