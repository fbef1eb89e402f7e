import { join } from 'node:path';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import { AppConfig } from '../../../core/config/app-config';
import type { AnonymisationJob, AnonymisationOutcome } from './anonymisation-job';

/**
 * The engine threads: wasm and onnxruntime inference block the thread they run on, so they run
 * in a worker-thread pool, one job at a time per thread (TASKS_ENGINE_THREADS, ≤ cores), and
 * the event loop keeps acking, heart-beating and, in the all-in-one, serving the API.
 * Threads start on the first job and stop after a minute idle (each holds ~300 MB of models).
 */
@Injectable()
export class AnonymisationEngine implements OnModuleDestroy {
  private pool?: Piscina;

  constructor(private readonly config: AppConfig) {}

  run(job: AnonymisationJob): Promise<AnonymisationOutcome> {
    this.pool ??= new Piscina({
      filename: join(__dirname, __filename.endsWith('.ts') ? 'anonymise.worker.dev.js' : 'anonymise.worker.js'),
      minThreads: 0,
      maxThreads: this.config.tasks.engineThreads,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
    });
    return this.pool.run(job, { name: 'default', transferList: job.progressPort ? [job.progressPort as never] : [] });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
  }
}
