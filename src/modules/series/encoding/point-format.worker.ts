import { move } from 'piscina';
import { CHUNK, CSV_TEMPLATE, JSON_TEMPLATE, PointWriter } from './point-writer';
import { PointTimes, timeAtOf } from './series-encoders';

/** What a formatting thread receives: a contiguous run of points and whether it starts the answer. */
export interface PointFormatJob {
  format: 'json' | 'csv';
  values: Float64Array;
  /** The run's own timestamps, or the uniform series' start, rate and the run's first absolute index. */
  times: PointTimes;
  first: boolean;
}

/**
 * Piscina's entry point: one run of points as JSON or CSV bytes, exactly as PointWriter writes
 * them on the main thread. The bytes are moved back (transferred, not copied).
 */
export default function formatPoints(job: PointFormatJob): unknown {
  const writer = new PointWriter(job.format === 'csv' ? CSV_TEMPLATE : JSON_TEMPLATE, job.first);
  const timeAt = timeAtOf(job.times);
  const count = job.values.length;
  // CHUNK points a write, as on the main thread (one write of 16k points costs ~50 % more, its
  // number text no longer fitting the CPU caches), all into one buffer that is then moved (not
  // copied) to the main thread.
  const out = Buffer.allocUnsafeSlow(count * writer.maxBytesPerPoint());
  let o = 0;
  for (let k = 0; k < count; k += CHUNK) o = writer.writeInto(out, o, job.values, timeAt, null, k, Math.min(count, k + CHUNK));
  const bytes = new Uint8Array(out.buffer, out.byteOffset, o);
  return move(bytes);
}
