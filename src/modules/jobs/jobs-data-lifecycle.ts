import { storedItemsLifecycle } from '../../core/data-lifecycle/data-lifecycle-providers';
import { JobsRepository } from './jobs.repository';

/**
 * Jobs' part of erasure and retention (docs/data-lifecycle.md): the log file under `jobs/<id>/`,
 * entries and rejections. The log file is not an "original" in DESIGN's sense: its entries are what
 * the job offers, so it is kept like a result, until RETENTION_DAYS.
 */
export const JobsDataLifecycle = storedItemsLifecycle({ name: 'jobs', prefix: 'jobs', store: JobsRepository });
