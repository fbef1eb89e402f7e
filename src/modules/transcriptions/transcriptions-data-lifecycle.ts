import { storedItemsLifecycle } from '../../core/data-lifecycle/data-lifecycle-providers';
import { TranscriptionsRepository } from './transcriptions.repository';

/** Transcriptions' part of erasure and retention (docs/data-lifecycle.md): the audio under `transcriptions/<id>/`, the transcript in the row. */
export const TranscriptionsDataLifecycle = storedItemsLifecycle({ name: 'transcriptions', prefix: 'transcriptions', store: TranscriptionsRepository });
