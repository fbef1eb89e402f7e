import { ReadinessDetails } from '../../../core/health/readiness-details';
import { SpeechToText } from './speech-to-text.service';
import { EngineInterruptedError, EngineNotInstalledError, EngineState, Transcriber, TranscribeOptions, Transcript } from './transcriber';

/** An engine whose runs finish when the test says so. */
class ControlledTranscriber extends Transcriber {
  readonly name = 'controlled';
  state: EngineState = { installed: true, engine: 'controlled' };
  running = 0;
  peak = 0;
  checks = 0;
  private finishers: (() => void)[] = [];

  check(): Promise<EngineState> {
    this.checks++;
    return Promise.resolve(this.state);
  }

  transcribe(_: string, options: TranscribeOptions): Promise<Transcript> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    return new Promise((resolve) =>
      this.finishers.push(() => {
        this.running--;
        resolve({ text: 'ok', segments: [], engine: this.name, language: options.language });
      }),
    );
  }

  finishOne(): void {
    this.finishers.shift()?.();
  }
}

const options = (signal = new AbortController().signal): TranscribeOptions => ({ language: 'en', durationS: 1, signal });
const settle = () => new Promise((r) => setImmediate(r));

describe('SpeechToText', () => {
  it('runs at most `concurrency` engine processes and queues the rest', async () => {
    const engine = new ControlledTranscriber();
    const stt = new SpeechToText(engine, new ReadinessDetails(), 2);
    const runs = [1, 2, 3, 4].map(() => stt.transcribe('x.wav', options()));
    await settle();
    expect(engine.running).toBe(2);
    for (let i = 0; i < 4; i++) {
      engine.finishOne();
      await settle();
    }
    await Promise.all(runs);
    expect(engine.peak).toBe(2);
  });

  it('gives up a queued run when the worker shuts down', async () => {
    const engine = new ControlledTranscriber();
    const stt = new SpeechToText(engine, new ReadinessDetails(), 1);
    const first = stt.transcribe('x.wav', options());
    const shutdown = new AbortController();
    const queued = stt.transcribe('y.wav', options(shutdown.signal));
    await settle();
    shutdown.abort();
    await expect(queued).rejects.toBeInstanceOf(EngineInterruptedError);
    engine.finishOne();
    await first;
    expect(engine.peak).toBe(1);
  });

  it('fails at once while the engine is missing, and notices when it gets installed', async () => {
    const engine = new ControlledTranscriber();
    engine.state = { installed: false, engine: 'controlled', detail: 'apt-get install it' };
    const details = new ReadinessDetails();
    const stt = new SpeechToText(engine, details, 1);
    stt.onModuleInit();
    await expect(stt.transcribe('x.wav', options())).rejects.toThrow(new EngineNotInstalledError('apt-get install it'));
    const [[key, probe]] = details.entries();
    expect(key).toBe('speech_to_text');
    await expect(probe()).resolves.toEqual({ engine: 'controlled', installed: false, message: 'speech-to-text engine not installed: apt-get install it' });

    engine.state = { installed: true, engine: 'controlled' };
    const run = stt.transcribe('x.wav', options());
    await settle();
    engine.finishOne();
    await expect(run).resolves.toMatchObject({ text: 'ok' });
    const checks = engine.checks;
    await stt.engineState();
    expect(engine.checks).toBe(checks); // an installed engine is not re-checked per job
  });
});
