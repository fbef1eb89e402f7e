import { EngineInterruptedError, EngineState, Transcriber, TranscribeOptions, Transcript } from './transcriber';

/**
 * Canned text, for unit tests of the code around the engine. Refused in production by the
 * settings (STT_ENGINE=fake), so no user ever receives invented text.
 */
export class FakeTranscriber extends Transcriber {
  readonly name = 'fake';

  constructor(private readonly text = 'the quick brown fox jumps over the lazy dog') {
    super();
  }

  check(): Promise<EngineState> {
    return Promise.resolve({ installed: true, engine: this.name });
  }

  transcribe(_wavPath: string, { language, durationS, signal, onProgress }: TranscribeOptions): Promise<Transcript> {
    if (signal.aborted) return Promise.reject(new EngineInterruptedError(this.name));
    const words = this.text.split(/\s+/).filter(Boolean);
    const step = words.length ? durationS / words.length : 0;
    const timed = words.map((word, i) => ({ word, start_s: i * step, end_s: (i + 1) * step, confidence: 1 }));
    for (const w of timed) onProgress?.(w.end_s);
    return Promise.resolve({
      text: words.join(' '),
      segments: words.length ? [{ start_s: 0, end_s: durationS, text: words.join(' ') }] : [],
      words: timed,
      engine: this.name,
      language,
    });
  }
}
