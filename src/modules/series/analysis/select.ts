/**
 * Rearranges `a[left..right]` so that `a[k]` is the value a full sort would put there, smaller or
 * equal values before it and greater or equal after (Hoare's selection with median-of-three
 * pivots, O(n) on average). Three selections on a 1M-point copy take a fraction of a sort.
 */
export function selectInPlace(a: Float64Array, k: number, left = 0, right = a.length - 1): void {
  while (right > left) {
    const mid = (left + right) >> 1;
    // Median of three as pivot, moved to a[k]'s side-neutral place `mid`.
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Quantiles by linear interpolation between order statistics (Hyndman & Fan type 7, the default
 * of NumPy, R and Excel's PERCENTILE.INC): h = (n - 1)·q, x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]).
 * `scratch` is reordered. The order statistics are selected middle one first, each within the
 * range its neighbours already bound, so three quantiles of 1M points cost about two passes over
 * the data rather than three full selections and scans.
 */
export function quantiles(scratch: Float64Array, qs: number[]): number[] {
  const n = scratch.length;
  const lows = [...new Set(qs.map((q) => Math.floor((n - 1) * q)))].sort((a, b) => a - b);
  const select = (from: number, to: number, left: number, right: number): void => {
    if (from > to) return;
    const middle = (from + to) >> 1;
    selectInPlace(scratch, lows[middle], left, right);
    select(from, middle - 1, left, lows[middle] - 1);
    select(middle + 1, to, lows[middle] + 1, right);
  };
  select(0, lows.length - 1, 0, n - 1);
  return qs.map((q) => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const low = scratch[lo];
    if (h === lo || lo + 1 >= n) return low;
    // Every element right of lo is >= low, and those up to the next selected statistic are <= it:
    // the next order statistic is their minimum.
    const next = lows.find((k) => k > lo);
    const end = next === undefined ? n - 1 : next;
    let high = Infinity;
    for (let i = lo + 1; i <= end; i++) if (scratch[i] < high) high = scratch[i];
    return low + (h - lo) * (high - low);
  });
}
