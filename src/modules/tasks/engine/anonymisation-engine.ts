import { join } from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import { AppConfig } from '../../../core/config/app-config';
import { TASKS_ANONYMISE } from '../tasks.messages';
import type { AnonymisationJob, AnonymisationOutcome } from './anonymisation-job';

/**
 * The engine threads: wasm and onnxruntime inference block the thread they run on, so they run
 * in a worker-thread pool, one job at a time per thread (TASKS_ENGINE_THREADS, ≤ cores), and
 * the event loop keeps acking, heart-beating and, in the all-in-one, serving the API.
 * Threads start on the first job and stop after a minute idle (each holds ~300 MB of models),
 * except the one a dedicated worker warms at start.
 */
@Injectable()
export class AnonymisationEngine implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnonymisationEngine.name);
  private pool?: Piscina;

  constructor(private readonly config: AppConfig) {}

  /**
   * A worker dedicated to tasks.anonymise (WORKER_QUEUES names it) loads one engine thread and its
   * models before it consumes, and keeps it: a message redelivered to it after another worker
   * died does not wait for a model load (bench:chaos's recovery time).
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.worker.queues?.includes(TASKS_ANONYMISE.name)) return;
    const started = performance.now();
    await this.threads(1)
      .run({ warm: true })
      .then(
        () => this.logger.log(`engine thread warmed in ${Math.round(performance.now() - started)} ms`),
        (error: Error) => this.logger.warn(`engine thread not warmed (the first task loads it): ${error.message}`),
      );
  }

  run(job: AnonymisationJob): Promise<AnonymisationOutcome> {
    return this.threads(0).run(job, { name: 'default', transferList: job.progressPort ? [job.progressPort as never] : [] });
  }

  private threads(minThreads: number): Piscina {
    this.pool ??= new Piscina({
      filename: join(__dirname, __filename.endsWith('.ts') ? 'anonymise.worker.dev.js' : 'anonymise.worker.js'),
      minThreads,
      maxThreads: this.config.tasks.engineThreads,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
    });
    return this.pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
  }
}
