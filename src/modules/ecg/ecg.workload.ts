import { defineWorkload } from '../../core/workload/workload';
import { ECG_ID_PATTERN } from './dto/ecg.dto';
import type { EcgEntity } from './entities/ecg.entity';
import { ECG_ANALYSE, EcgAnalyseMessage } from './ecg.messages';
import { EcgRepository } from './ecg.repository';

/**
 * ECG analysis as a workload: `ecg` events (keyed by the client's id) and snapshots, the
 * `ecg.analyse` sweeper and its budget. Messages carry the internal pk.
 */
export const ECG_WORKLOAD = defineWorkload<EcgEntity, EcgAnalyseMessage>({
  resource: 'ecg',
  queue: ECG_ANALYSE,
  store: EcgRepository,
  keyOf: (message) => message.ecg_pk,
  messageFor: (ecg) => ({ ecg_pk: ecg.pk }),
  toStatus: (ecg) => ({ status: ecg.status, ...(ecg.error ? { error: ecg.error } : {}) }),
  // An id no ECG can have never reaches the database (a NUL byte would make PostgreSQL fail).
  isValidId: (id) => ECG_ID_PATTERN.test(id),
  // Re-publications of an ECG stuck in `processing` (its worker died) before it is failed.
  attempts: 3,
  sweep: {
    intervalMs: 15_000,
    // Analysing even a 12-lead, 60 s ECG takes well under a second; a minute is far past normal.
    staleAfterMs: 60_000,
    batchSize: 100,
  },
});
