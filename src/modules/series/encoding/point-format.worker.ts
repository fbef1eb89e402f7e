import { move } from 'piscina';
import { CSV_TEMPLATE, JSON_TEMPLATE, PointWriter } from './point-writer';
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
  const bytes = writer.write(job.values, timeAtOf(job.times), null, 0, job.values.length);
  return move(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
}
