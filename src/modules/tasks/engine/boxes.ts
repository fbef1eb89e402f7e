/** An axis-aligned box in pixels: top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Maps a box found on a copy scaled by `scale` back to the original image. */
export function scaleBox(box: Box, scale: number): Box {
  return { x: box.x / scale, y: box.y / scale, width: box.width / scale, height: box.height / scale };
}

/** Grows a box by `fraction` of its size on every side (0.25 → 25 % wider on each side). */
export function padBox(box: Box, fraction: number): Box {
  const dx = box.width * fraction;
  const dy = box.height * fraction;
  return { x: box.x - dx, y: box.y - dy, width: box.width + 2 * dx, height: box.height + 2 * dy };
}

/** Whole pixels inside the image, rounded outwards; null when nothing is left. */
export function clampBox(box: Box, width: number, height: number): Box | null {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** The smallest box holding both. */
export function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/**
 * The boxes to hide on a frame that was not run through the detector: the boxes of the
 * detected frames before and after it, each padded, and a box seen on both sides (IoU > 0.1)
 * merged with its partner so the area it moved through stays covered.
 */
export function coverBetween(before: Box[], after: Box[], pad = 0.25): Box[] {
  const used = new Set<number>();
  const merged = before.map((b) => {
    let best = -1;
    let bestIou = 0.1;
    after.forEach((a, i) => {
      const iou = intersectionOverUnion(a, b);
      if (!used.has(i) && iou > bestIou) {
        best = i;
        bestIou = iou;
      }
    });
    if (best < 0) return b;
    used.add(best);
    return unionBox(b, after[best]);
  });
  return [...merged, ...after.filter((_, i) => !used.has(i))].map((b) => padBox(b, pad));
}

/**
 * Overlapping tiles covering a `width`×`height` image, each at most `side` pixels square (the
 * last ones may be a little smaller), neighbours sharing `overlap` pixels so a face narrower than
 * that lies whole in at least one tile. Integer pixels; one tile when the image fits.
 */
export function tileGrid(width: number, height: number, side: number, overlap: number): Box[] {
  const spans = (length: number): [number, number][] => {
    if (length <= side) return [[0, length]];
    const count = Math.ceil((length - overlap) / (side - overlap));
    const size = Math.min(length, Math.ceil((length + (count - 1) * overlap) / count));
    return Array.from({ length: count }, (_, i) => [Math.round((i * (length - size)) / (count - 1)), size]);
  };
  return spans(height).flatMap(([y, h]) => spans(width).map(([x, w]) => ({ x, y, width: w, height: h })));
}

/**
 * Boxes that mostly overlap (the intersection is at least `share` of the smaller one) merged into
 * their union: the same face found by two tiles, or by a tile and the whole-image pass, becomes
 * one box that covers both findings. Each box's `score` (when present) becomes the highest.
 */
export function mergeOverlapping<T extends Box & { score?: number }>(boxes: T[], share = 0.5): T[] {
  const out = boxes.map((b) => ({ ...b }));
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length && !merged; j++) {
        const a = out[i];
        const b = out[j];
        const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
        const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
        if (w <= 0 || h <= 0 || w * h < share * Math.min(a.width * a.height, b.width * b.height)) continue;
        const score = Math.max(a.score ?? 0, b.score ?? 0);
        out[i] = { ...a, ...unionBox(a, b), ...(a.score !== undefined || b.score !== undefined ? { score } : {}) };
        out.splice(j, 1);
        merged = true;
      }
    }
  }
  return out;
}
