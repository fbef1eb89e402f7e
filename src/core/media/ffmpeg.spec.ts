import { defaultFfmpegPath, FfmpegError, parseFfmpegDuration, runFfmpeg } from './ffmpeg';

describe('ffmpeg', () => {
  it('finds the binary shipped by the npm package and runs it', async () => {
    const path = defaultFfmpegPath();
    expect(path).toBeDefined();
    const stderr = await runFfmpeg(path!, ['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '0.5', '-f', 'null', '-']);
    expect(parseFfmpegDuration(stderr)).toBeUndefined(); // lavfi inputs have no duration banner
  });

  it('rejects with ffmpeg\'s own reason for an unreadable input', async () => {
    const error = await runFfmpeg(defaultFfmpegPath()!, ['-i', '/nonexistent/input.wav', '-f', 'null', '-']).catch((e) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).reason).toMatch(/No such file/);
  });

  it('rejects when the binary is missing', async () => {
    await expect(runFfmpeg('/nonexistent/ffmpeg', ['-version'])).rejects.toThrow(/could not start/);
  });

  it('parses the duration banner', () => {
    expect(parseFfmpegDuration('  Duration: 00:01:02.50, start: 0.000000, bitrate: 256 kb/s')).toBeCloseTo(62.5);
    expect(parseFfmpegDuration('no banner')).toBeUndefined();
  });
});
