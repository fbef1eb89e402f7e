import type { Box } from './boxes';

/**
 * The rules of `npm run eval:anonymisation` (bench/eval), kept here with a unit test so the
 * scoring cannot drift: a labelled object counts as hidden only when at least HIDDEN_SHARE of
 * its box is covered by redaction boxes each at most MAX_AREA_RATIO times its area (hiding half
 * the picture does not count as finding a face).
 */
export const HIDDEN_SHARE = 0.7;
export const MAX_AREA_RATIO = 16;

export type SizeClass = 'large' | 'medium' | 'small' | 'tiny';

/** Size classes of the issue: large ≥ 48 px, medium 24–47, small 12–23 (the box's long side); below that, tiny. */
export function sizeClass(box: Box): SizeClass {
  const side = Math.max(box.width, box.height);
  return side >= 48 ? 'large' : side >= 24 ? 'medium' : side >= 12 ? 'small' : 'tiny';
}

/** The share of `label` covered by the union of `boxes` (exact, by coordinate compression). */
export function coveredShare(label: Box, boxes: Box[]): number {
  const area = label.width * label.height;
  if (area <= 0) return 0;
  const clipped = boxes
    .map((b) => {
      const x0 = Math.max(label.x, b.x);
      const y0 = Math.max(label.y, b.y);
      const x1 = Math.min(label.x + label.width, b.x + b.width);
      const y1 = Math.min(label.y + label.height, b.y + b.height);
      return x1 > x0 && y1 > y0 ? { x0, y0, x1, y1 } : null;
    })
    .filter((b) => b !== null);
  if (clipped.length === 0) return 0;
  const xs = [...new Set(clipped.flatMap((b) => [b.x0, b.x1]))].sort((a, b) => a - b);
  const ys = [...new Set(clipped.flatMap((b) => [b.y0, b.y1]))].sort((a, b) => a - b);
  let covered = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      const cx = (xs[i] + xs[i + 1]) / 2;
      const cy = (ys[j] + ys[j + 1]) / 2;
      if (clipped.some((b) => cx > b.x0 && cx < b.x1 && cy > b.y0 && cy < b.y1)) covered += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
    }
  }
  return covered / area;
}

/**
 * Whether a labelled box counts as hidden by these redaction boxes. Faces use the 16× limit;
 * plates pass `Infinity` (the issue counts strict mode, which hides the lower half of a vehicle).
 */
export function isHidden(label: Box, redactions: Box[], maxAreaRatio = MAX_AREA_RATIO): boolean {
  const limit = maxAreaRatio * label.width * label.height;
  return coveredShare(label, redactions.filter((r) => r.width * r.height <= limit)) >= HIDDEN_SHARE;
}

/** A redaction box is a true detection when it hides some labelled box (same rules); the others are false positives. */
export function falsePositives(redactions: Box[], labels: Box[]): Box[] {
  return redactions.filter((r) => !labels.some((l) => r.width * r.height <= MAX_AREA_RATIO * l.width * l.height && coveredShare(l, [r]) >= 0.5));
}

export interface Tally {
  hidden: number;
  total: number;
}

export function recall(t: Tally): number {
  return t.total === 0 ? NaN : t.hidden / t.total;
}
