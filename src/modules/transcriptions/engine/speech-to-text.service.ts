import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ReadinessDetails } from '../../../core/health/readiness-details';
import { EngineInterruptedError, EngineNotInstalledError, EngineState, Transcriber, TranscribeOptions, Transcript } from './transcriber';

/**
 * The engine as the rest of the feature sees it: its installation state (checked at start-up,
 * shown on /health/ready, re-checked while missing so installing the packages needs no restart)
 * and a bound on concurrent engine processes (one per core: a CPU-bound engine only slows down
 * when it shares a core).
 */
@Injectable()
export class SpeechToText implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(SpeechToText.name);
  private state?: EngineState;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly transcriber: Transcriber,
    private readonly readinessDetails: ReadinessDetails,
    private readonly concurrency: number,
  ) {}

  onModuleInit(): void {
    this.readinessDetails.register('speech_to_text', async () => {
      const state = await this.engineState();
      return state.installed
        ? { engine: state.engine, installed: true, concurrency: this.concurrency, running: this.running }
        : { engine: state.engine, installed: false, message: new EngineNotInstalledError(state.detail).message };
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const state = await this.engineState();
    if (!state.installed) this.logger.warn(`${new EngineNotInstalledError(state.detail).message}; transcriptions will fail until it is`);
  }

  /** The engine's name, as a transcript records it. */
  get engineName(): string {
    return this.transcriber.name;
  }

  async engineState(): Promise<EngineState> {
    if (!this.state?.installed) this.state = await this.transcriber.check();
    return this.state;
  }

  /** Waits for a free engine slot, then transcribes; throws EngineNotInstalledError when the engine is missing. */
  async transcribe(wavPath: string, options: TranscribeOptions): Promise<Transcript> {
    const state = await this.engineState();
    if (!state.installed) throw new EngineNotInstalledError(state.detail);
    await this.acquire(options.signal);
    try {
      return await this.transcriber.transcribe(wavPath, options);
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new EngineInterruptedError(this.transcriber.name));
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(new EngineInterruptedError(this.transcriber.name));
      };
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
