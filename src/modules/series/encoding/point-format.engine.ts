import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import type { PointFormatJob } from './point-format.worker';
import { csvPoints, jsonPoints, PointSource } from './series-encoders';

/** Points per thread job: ~1.1 MB of JSON, a few ms of formatting, small enough to start sending early. */
export const JOB_POINTS = 16_384;
/** Below this many points a read is formatted on the event loop: a thread round trip would cost more than it saves. */
export const THREAD_MIN_POINTS = 2 * JOB_POINTS;

/**
 * Formats large text reads in worker threads. A 1M-point JSON answer is 68 MB whose number
 * formatting alone takes a few hundred ms of CPU: on the event loop that stalls every other
 * request (and uses one core). Here contiguous runs of JOB_POINTS points are formatted by a pool
 * of threads, a few runs ahead and in parallel, and handed out in order; the event loop only
 * copies each run's values out and writes the bytes. Threads start on the first large read and
 * stop after a minute idle.
 */
@Injectable()
export class PointFormatEngine implements OnModuleDestroy {
  private pool?: Piscina;

  /** The points of a contiguous window as text pieces, in order. */
  pieces(source: PointSource, format: 'json' | 'csv'): AsyncIterable<Buffer> {
    const { indexes, times } = source;
    const inline = format === 'csv' ? csvPoints(source) : jsonPoints(source);
    if (indexes instanceof Uint32Array || !times || indexes.to - indexes.from < THREAD_MIN_POINTS) return toAsync(inline);
    return this.threaded(source, indexes, times, format);
  }

  private async *threaded(source: PointSource, { from, to }: { from: number; to: number }, times: NonNullable<PointSource['times']>, format: 'json' | 'csv'): AsyncGenerator<Buffer> {
    const pool = this.threads();
    const ahead = pool.options.maxThreads + 2;
    const pending: Promise<Buffer>[] = [];
    let next = from;
    const submit = () => {
      const end = Math.min(to, next + JOB_POINTS);
      // Copies, not views: a view would clone (or transfer) the whole 8 MB array to the thread.
      const values = source.values.slice(next, end);
      const runTimes = times instanceof Float64Array ? times.slice(next, end) : { ...times, offset: times.offset + next };
      const job: PointFormatJob = { format, values, times: runTimes, first: next === from };
      const transferList = runTimes instanceof Float64Array ? [values.buffer, runTimes.buffer] : [values.buffer];
      const done = (pool.run(job, { transferList }) as Promise<Uint8Array>).then((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      // Marked handled now: a run that fails while an earlier one is awaited must not be an unhandled rejection.
      done.catch(() => undefined);
      pending.push(done);
      next = end;
    };
    while (next < to || pending.length > 0) {
      while (next < to && pending.length < ahead) submit();
      yield await pending.shift()!;
    }
  }

  private threads(): Piscina {
    this.pool ??= new Piscina({
      filename: join(__dirname, __filename.endsWith('.ts') ? 'point-format.worker.dev.js' : 'point-format.worker.js'),
      minThreads: 0,
      // Every core: while the threads format, the event loop mostly waits for them and the socket.
      maxThreads: Math.max(1, availableParallelism()),
      idleTimeout: 60_000,
    });
    return this.pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
  }
}

async function* toAsync(pieces: Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield* pieces;
}
