import type { Provider } from '@nestjs/common';
import { AppConfig } from '../../../core/config/app-config';
import { ReadinessDetails } from '../../../core/health/readiness-details';
import { FakeTranscriber } from './fake.transcriber';
import { PocketsphinxTranscriber } from './pocketsphinx.transcriber';
import { SpeechToText } from './speech-to-text.service';
import { Transcriber } from './transcriber';

/** STT_ENGINE picks the implementation; another engine is one more case here. */
export function createTranscriber(config: AppConfig): Transcriber {
  switch (config.stt.engine) {
    case 'fake':
      return new FakeTranscriber();
    case 'pocketsphinx':
      return new PocketsphinxTranscriber({ binary: config.stt.pocketsphinxBin, modelDir: config.stt.modelDir });
  }
}

export const TRANSCRIBER_PROVIDERS: Provider[] = [
  { provide: Transcriber, useFactory: createTranscriber, inject: [AppConfig] },
  {
    provide: SpeechToText,
    useFactory: (transcriber: Transcriber, details: ReadinessDetails, config: AppConfig) =>
      new SpeechToText(transcriber, details, config.stt.concurrency),
    inject: [Transcriber, ReadinessDetails, AppConfig],
  },
];
