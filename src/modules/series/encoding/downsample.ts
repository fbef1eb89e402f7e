/**
 * Picks at most `maxPoints` of the indexes [from, to) for a plot: the range is cut into
 * maxPoints/2 equal buckets and each bucket keeps its minimum and its maximum, in time order.
 * Every peak and trough of the original is a bucket's extreme, so none disappears (LTTB, the
 * other usual choice, can skip a one-sample spike). Answers the indexes, ascending.
 */
export function minMaxBuckets(values: Float64Array, from: number, to: number, maxPoints: number): Uint32Array {
  const n = to - from;
  if (n <= maxPoints) return Uint32Array.from({ length: n }, (_, i) => from + i);
  const buckets = Math.floor(maxPoints / 2);
  const picked = new Uint32Array(buckets * 2);
  let count = 0;
  for (let b = 0; b < buckets; b++) {
    const start = from + Math.floor((b * n) / buckets);
    const end = from + Math.floor(((b + 1) * n) / buckets);
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      if (values[i] < values[low]) low = i;
      if (values[i] > values[high]) high = i;
    }
    picked[count++] = Math.min(low, high);
    if (low !== high) picked[count++] = Math.max(low, high);
  }
  return picked.subarray(0, count);
}
