import { Injectable } from '@nestjs/common';

/**
 * What a feature does when its data must go: a user is erased, an original is no longer needed, a
 * result is past RETENTION_DAYS. Each feature implements it over its own repository (its
 * `<feature>-data-lifecycle.ts`) and registers it; core knows no feature by name.
 *
 * Every method is idempotent and safe to run twice at once (an erasure resumed after a crash, a
 * sweeper in each process): objects are erased before the rows that name them, so a crash leaves
 * rows to find again, never objects nobody points at.
 */
export interface FeatureDataLifecycle {
  /** A short name for logs and docs, e.g. `jobs`. */
  readonly name: string;
  /** Erases every row and stored object of the user in this feature. */
  eraseOwner(userId: string): Promise<void>;
  /** Erases up to `limit` originals whose work is finished; answers how many. Absent: the feature keeps no originals. */
  discardOriginals?(limit: number): Promise<number>;
  /** Erases the results (and log files) of up to `limit` rows finished before `before`, marking them expired; answers how many. */
  expireResults?(before: Date, limit: number): Promise<number>;
}

/** The features' lifecycles, in registration order (the order of src/feature-modules.ts). */
@Injectable()
export class DataLifecycleRegistry {
  private readonly features: FeatureDataLifecycle[] = [];

  register(feature: FeatureDataLifecycle): void {
    if (this.features.some((f) => f.name === feature.name)) throw new Error(`Data lifecycle "${feature.name}" is registered twice`);
    this.features.push(feature);
  }

  all(): readonly FeatureDataLifecycle[] {
    return this.features;
  }
}
