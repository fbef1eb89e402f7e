import { ownedRowsLifecycle } from '../../core/data-lifecycle/data-lifecycle-providers';
import { SeriesRepository } from './series.repository';

/** Series' part of erasure: the points are stored in the row; kept until deleted (docs/data-lifecycle.md). */
export const SeriesDataLifecycle = ownedRowsLifecycle({ name: 'series', store: SeriesRepository });
