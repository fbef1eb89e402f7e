import { ownedRowsLifecycle } from '../../core/data-lifecycle/data-lifecycle-providers';
import { EcgRepository } from './ecg.repository';

/**
 * ECGs' part of erasure. ECGs keep no objects and no separate original: the signals are the record
 * the insights describe, kept until the owner deletes the ECG (docs/data-lifecycle.md).
 */
export const EcgDataLifecycle = ownedRowsLifecycle({ name: 'ecgs', store: EcgRepository });
