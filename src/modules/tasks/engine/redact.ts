import type { TaskMethod } from '../entities/task.entity';
import { type Box, clampBox } from './boxes';

/** Pixelate blocks are never smaller than this, so a small face does not stay recognisable. */
export const MIN_PIXEL_BLOCK = 8;

/**
 * Hides every box in a raw interleaved image (RGB or RGBA, 8 bits), in place. Pixels outside
 * the boxes are never touched. Overlapping boxes are simply hidden twice.
 */
export function redact(pixels: Buffer | Uint8Array, width: number, height: number, channels: number, boxes: Box[], method: TaskMethod): void {
  for (const raw of boxes) {
    const box = clampBox(raw, width, height);
    if (!box) continue;
    if (method === 'mask') mask(pixels, width, channels, box);
    else if (method === 'pixelate') pixelate(pixels, width, channels, box);
    else blur(pixels, width, channels, box);
  }
}

function mask(px: Buffer | Uint8Array, width: number, channels: number, b: Box): void {
  for (let y = b.y; y < b.y + b.height; y++) {
    const row = (y * width + b.x) * channels;
    for (let i = 0; i < b.width; i++) for (let c = 0; c < Math.min(3, channels); c++) px[row + i * channels + c] = 0;
  }
}

/** Block size grows with the box (about 12 blocks across its long side), never below MIN_PIXEL_BLOCK. */
export function pixelBlock(box: Box): number {
  return Math.max(MIN_PIXEL_BLOCK, Math.ceil(Math.max(box.width, box.height) / 12));
}

function pixelate(px: Buffer | Uint8Array, width: number, channels: number, b: Box): void {
  const block = pixelBlock(b);
  const sum = [0, 0, 0, 0];
  for (let by = b.y; by < b.y + b.height; by += block) {
    for (let bx = b.x; bx < b.x + b.width; bx += block) {
      const x1 = Math.min(bx + block, b.x + b.width);
      const y1 = Math.min(by + block, b.y + b.height);
      sum.fill(0);
      for (let y = by; y < y1; y++) for (let x = bx; x < x1; x++) for (let c = 0; c < channels; c++) sum[c] += px[(y * width + x) * channels + c];
      const n = (x1 - bx) * (y1 - by);
      for (let y = by; y < y1; y++) {
        for (let x = bx; x < x1; x++) for (let c = 0; c < Math.min(3, channels); c++) px[(y * width + x) * channels + c] = Math.round(sum[c] / n);
      }
    }
  }
}

/**
 * Three box-blur passes each way (close to a Gaussian), with a radius of a quarter of the
 * box's short side so features are gone, not softened; edges clamp to the box.
 */
function blur(px: Buffer | Uint8Array, width: number, channels: number, b: Box): void {
  const radius = Math.max(MIN_PIXEL_BLOCK, Math.round(Math.min(b.width, b.height) / 4));
  const colours = Math.min(3, channels);
  const line = new Float64Array(Math.max(b.width, b.height));
  const out = new Float64Array(line.length);
  for (let pass = 0; pass < 3; pass++) {
    for (let c = 0; c < colours; c++) {
      for (let y = b.y; y < b.y + b.height; y++) {
        for (let i = 0; i < b.width; i++) line[i] = px[(y * width + b.x + i) * channels + c];
        boxBlur1d(line, out, b.width, radius);
        for (let i = 0; i < b.width; i++) px[(y * width + b.x + i) * channels + c] = Math.round(out[i]);
      }
      for (let x = b.x; x < b.x + b.width; x++) {
        for (let i = 0; i < b.height; i++) line[i] = px[((b.y + i) * width + x) * channels + c];
        boxBlur1d(line, out, b.height, radius);
        for (let i = 0; i < b.height; i++) px[((b.y + i) * width + x) * channels + c] = Math.round(out[i]);
      }
    }
  }
}

function boxBlur1d(src: Float64Array, dst: Float64Array, n: number, radius: number): void {
  // A running sum over a window clamped to [0, n): O(n) whatever the radius.
  let sum = 0;
  let count = 0;
  for (let i = 0; i <= Math.min(radius, n - 1); i++) {
    sum += src[i];
    count++;
  }
  for (let i = 0; i < n; i++) {
    dst[i] = sum / count;
    const add = i + radius + 1;
    const drop = i - radius;
    if (add < n) {
      sum += src[add];
      count++;
    }
    if (drop >= 0) {
      sum -= src[drop];
      count--;
    }
  }
}
