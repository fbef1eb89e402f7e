import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import type { EcgAnalysisJob, EcgAnalysisOutcome } from './ecg-analysis-job';

/**
 * The analysis threads. runAnalyses is CPU-bound (about 5-10 ms for 12 leads × 10 s, ten times
 * that for 60 s at 1 kHz): on the event loop it stalled every HTTP answer and ack in the
 * all-in-one process. One thread per core but one, so the event loop keeps a core of its own;
 * threads start on the first ECG and stop after a minute idle.
 */
@Injectable()
export class EcgAnalysisEngine implements OnModuleDestroy {
  private pool?: Piscina;

  run(job: EcgAnalysisJob): Promise<EcgAnalysisOutcome> {
    this.pool ??= new Piscina({
      filename: join(__dirname, __filename.endsWith('.ts') ? 'ecg-analysis.worker.dev.js' : 'ecg-analysis.worker.js'),
      minThreads: 0,
      maxThreads: Math.max(1, availableParallelism() - 1),
      idleTimeout: 60_000,
    });
    // Signals are copied, not transferred: a copy of 12 × 5,000 samples is a few microseconds, and
    // a transfer would detach buffers the caller may still share (two leads, a cached signal).
    return this.pool.run(job);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
  }
}
