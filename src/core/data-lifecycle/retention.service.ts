import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PeriodicTask } from '../scheduling/periodic-task';
import { DataLifecycleRegistry } from './feature-data-lifecycle';

const DAY_MS = 24 * 3600 * 1000;
const BATCH = 200;
// A round stops after this many batches per feature, so one round never runs for hours after an
// operator shortens RETENTION_DAYS; the next round carries on.
const MAX_BATCHES_PER_ROUND = 50;

/**
 * What is kept, and for how long (docs/data-lifecycle.md): every RETENTION_SWEEP_INTERVAL_S, the
 * originals of finished work are erased unless RETAIN_ORIGINALS, and when RETENTION_DAYS is set,
 * results and log files finished longer ago are erased, their rows kept with `expired: true`.
 * Runs in every process; the features' steps are idempotent, so concurrent rounds only repeat work.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: DataLifecycleRegistry,
  ) {
    this.task = new PeriodicTask('retention sweep', config.retention.sweepIntervalMs, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** One round now; answers how many originals were erased and how many rows expired. */
  async sweep(now = new Date()): Promise<{ originals: number; expired: number }> {
    const { retainOriginals, days } = this.config.retention;
    let originals = 0;
    let expired = 0;
    for (const feature of this.registry.all()) {
      if (!retainOriginals && feature.discardOriginals) {
        originals += await drain((limit) => feature.discardOriginals!(limit));
      }
      if (days !== undefined && feature.expireResults) {
        const before = new Date(now.getTime() - days * DAY_MS);
        expired += await drain((limit) => feature.expireResults!(before, limit));
      }
    }
    if (originals + expired > 0) this.logger.log(`retention: ${originals} original(s) erased, ${expired} result(s) expired`);
    return { originals, expired };
  }
}

async function drain(step: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES_PER_ROUND; i++) {
    const done = await step(BATCH);
    total += done;
    if (done < BATCH) break;
  }
  return total;
}
