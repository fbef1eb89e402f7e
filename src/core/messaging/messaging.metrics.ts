import { Injectable } from '@nestjs/common';
import { Counter, Gauge, register } from 'prom-client';

type DepthSource = () => Promise<Map<string, number>>;

// Several app instances can live in one process (tests, all-in-one mode) while prom-client's default
// register is global: the metrics are created once and the depth gauge asks every live instance.
const depthSources = new Set<DepthSource>();

function counter(name: string, help: string): Counter<'queue'> {
  return (register.getSingleMetric(name) as Counter<'queue'> | undefined) ?? new Counter({ name, help, labelNames: ['queue'] });
}

function ensureDepthGauge(): void {
  const name = 'horizon_queue_depth';
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help: 'Messages ready in each queue and its .dead queue, read when scraped',
    labelNames: ['queue'],
    async collect() {
      this.reset();
      const results = await Promise.allSettled([...depthSources].map((source) => source()));
      for (const result of results) {
        if (result.status !== 'fulfilled') continue; // an unreachable broker must not break /metrics
        for (const [queue, depth] of result.value) this.set({ queue }, depth);
      }
    },
  });
}

@Injectable()
export class MessagingMetrics {
  private readonly processedTotal = counter('horizon_messages_processed_total', 'Messages handled successfully (acked)');
  private readonly failedTotal = counter('horizon_messages_failed_total', 'Handler failures, whether retried or not');
  private readonly deadLetteredTotal = counter('horizon_messages_dead_lettered_total', 'Messages moved to the dead-letter queue');
  private readonly retriedTotal = counter('horizon_messages_retried_total', 'Messages requeued for another attempt');

  constructor() {
    ensureDepthGauge();
  }

  processed(queue: string): void {
    this.processedTotal.inc({ queue });
  }

  failed(queue: string): void {
    this.failedTotal.inc({ queue });
  }

  deadLettered(queue: string): void {
    this.deadLetteredTotal.inc({ queue });
  }

  retried(queue: string): void {
    this.retriedTotal.inc({ queue });
  }

  /** Reports queue depths on every scrape until the returned function is called. */
  trackQueueDepth(source: DepthSource): () => void {
    depthSources.add(source);
    return () => {
      depthSources.delete(source);
    };
  }
}
