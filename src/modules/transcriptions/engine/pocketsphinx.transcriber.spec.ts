import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIO_FIXTURES_DIR } from '../../../../test/factories/audio-fixtures';
import { PocketsphinxTranscriber } from './pocketsphinx.transcriber';
import { EngineInterruptedError, EngineNotInstalledError, EngineTimeoutError } from './transcriber';

const DEBIAN = { binary: '/usr/bin/pocketsphinx_continuous', modelDir: '/usr/share/pocketsphinx/model/en-us' };

/** Processes whose command line mentions `needle` (the engine's input file is unique per test). */
async function processesWith(needle: string): Promise<number> {
  let count = 0;
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) count++;
  }
  return count;
}

describe('PocketsphinxTranscriber (the Debian packages, as CI installs them)', () => {
  let dir: string;
  let wav: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stt-spec-'));
    wav = join(dir, 'fox.wav');
    await copyFile(join(AUDIO_FIXTURES_DIR, 'fox.wav'), wav);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reports itself installed', async () => {
    await expect(new PocketsphinxTranscriber(DEBIAN).check()).resolves.toEqual({ installed: true, engine: 'pocketsphinx' });
  });

  it('names what to install when the binary or the model is missing', async () => {
    const noBinary = await new PocketsphinxTranscriber({ ...DEBIAN, binary: '/nope/pocketsphinx_continuous' }).check();
    expect(noBinary).toMatchObject({ installed: false, detail: expect.stringMatching(/\/nope\/pocketsphinx_continuous was not found; install the Debian packages pocketsphinx and pocketsphinx-en-us/) });
    const noModel = await new PocketsphinxTranscriber({ ...DEBIAN, modelDir: '/nope' }).check();
    expect(noModel).toMatchObject({ installed: false, detail: expect.stringMatching(/model file \/nope\/.* is missing; install/) });
  });

  it('transcribes a clip with timed words and reports progress from them', async () => {
    const progress: number[] = [];
    const transcript = await new PocketsphinxTranscriber(DEBIAN).transcribe(wav, {
      language: 'en',
      durationS: 2.97,
      signal: new AbortController().signal,
      onProgress: (s) => progress.push(s),
    });
    expect(transcript).toMatchObject({ engine: 'pocketsphinx', language: 'en' });
    expect(transcript.text).toMatch(/quick brown fox/);
    expect(transcript.words!.length).toBeGreaterThanOrEqual(7);
    expect(progress.length).toBeGreaterThan(0);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  }, 60_000);

  it('kills the engine when the signal aborts (shutdown) and says the work is to be retried', async () => {
    const controller = new AbortController();
    const running = new PocketsphinxTranscriber(DEBIAN).transcribe(wav, { language: 'en', durationS: 2.97, signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(running).rejects.toBeInstanceOf(EngineInterruptedError);
    expect(await processesWith(wav)).toBe(0);
  });

  it('kills the engine past its time budget', async () => {
    const transcriber = new PocketsphinxTranscriber({ ...DEBIAN, timeoutMs: () => 1 });
    await expect(transcriber.transcribe(wav, { language: 'en', durationS: 2.97, signal: new AbortController().signal })).rejects.toBeInstanceOf(
      EngineTimeoutError,
    );
    expect(await processesWith(wav)).toBe(0);
  });

  it('fails with the install hint when the binary cannot be run', async () => {
    const transcriber = new PocketsphinxTranscriber({ ...DEBIAN, binary: '/nope/pocketsphinx_continuous' });
    await expect(transcriber.transcribe(wav, { language: 'en', durationS: 2.97, signal: new AbortController().signal })).rejects.toThrow(
      EngineNotInstalledError,
    );
  });
});
