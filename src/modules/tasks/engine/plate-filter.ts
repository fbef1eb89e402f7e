import type { Box } from './boxes';

/**
 * The shape rules that turn a text detector into a licence-plate detector, measured on
 * synthetic US/EU plates and plate-free photos (docs/tasks.md): a plate is a wide text line
 * (width/height 1.5–7), 8–60 % as wide as its vehicle, centred in the vehicle's lower 70 %.
 */
export const PLATE_SHAPE = { minAspect: 1.5, maxAspect: 7, minWidthShare: 0.08, maxWidthShare: 0.6, topExcluded: 0.3 } as const;

/**
 * The smallest plate width, as a share of the vehicle's width, per CenterNet vehicle class: a
 * bus or truck is much wider than its plate (a London bus plate is ~5 % of the bus seen from
 * the front-side); measured on the evaluation set (docs/tasks.md).
 */
export const PLATE_MIN_WIDTH_SHARE: Record<string, number> = { car: 0.08, motorcycle: 0.08, bus: 0.03, truck: 0.03 };

export function isPlateLike(text: Box, vehicle: Box, minWidthShare: number = PLATE_SHAPE.minWidthShare): boolean {
  const aspect = text.width / text.height;
  const share = text.width / vehicle.width;
  const centreY = text.y + text.height / 2;
  return (
    aspect >= PLATE_SHAPE.minAspect &&
    aspect <= PLATE_SHAPE.maxAspect &&
    share >= minWidthShare &&
    share <= PLATE_SHAPE.maxWidthShare &&
    centreY >= vehicle.y + vehicle.height * PLATE_SHAPE.topExcluded &&
    centreY <= vehicle.y + vehicle.height
  );
}

/**
 * Text regions from a DB-style probability map (PP-OCR detection output): connected pixels
 * above `threshold`, each box grown like DB's "unclip" (the map marks a shrunk text kernel).
 */
export function textBoxesFromProbabilityMap(map: Float32Array, width: number, height: number, threshold = 0.3, minPixels = 8): Box[] {
  const seen = new Uint8Array(width * height);
  const boxes: Box[] = [];
  const stack: number[] = [];
  for (let start = 0; start < map.length; start++) {
    if (seen[start] || map[start] < threshold) continue;
    seen[start] = 1;
    stack.push(start);
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let pixels = 0;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      pixels++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (y > 0) visit(i - width);
      if (y < height - 1) visit(i + width);
    }
    if (pixels < minPixels) continue;
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    // DB unclip: offset = area × ratio / perimeter, ratio 1.5 as in PaddleOCR.
    const offset = (w * h * 1.5) / (2 * (w + h));
    boxes.push({ x: x0 - offset, y: y0 - offset, width: w + 2 * offset, height: h + 2 * offset });
  }
  return boxes;

  function visit(j: number): void {
    if (!seen[j] && map[j] >= threshold) {
      seen[j] = 1;
      stack.push(j);
    }
  }
}
