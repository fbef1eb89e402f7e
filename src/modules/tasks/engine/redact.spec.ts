import { MIN_PIXEL_BLOCK, pixelBlock, redact } from './redact';

const W = 64;
const H = 48;

/** A busy synthetic image: every pixel differs from its neighbours. */
function pattern(): Buffer {
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) px[(y * W + x) * 3 + c] = (x * 37 + y * 91 + c * 53) % 256;
  return px;
}

function changedOutside(before: Buffer, after: Buffer, box: { x: number; y: number; width: number; height: number }): number {
  let changed = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
      if (!inside && [0, 1, 2].some((c) => before[(y * W + x) * 3 + c] !== after[(y * W + x) * 3 + c])) changed++;
    }
  }
  return changed;
}

function changedInside(before: Buffer, after: Buffer, box: { x: number; y: number; width: number; height: number }): number {
  let changed = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) if ([0, 1, 2].some((c) => before[(y * W + x) * 3 + c] !== after[(y * W + x) * 3 + c])) changed++;
  }
  return changed / (box.width * box.height);
}

describe('redact', () => {
  const box = { x: 10, y: 8, width: 30, height: 20 };

  it.each(['pixelate', 'blur', 'mask'] as const)('%s changes the pixels inside the box and none outside', (method) => {
    const before = pattern();
    const after = Buffer.from(before);
    redact(after, W, H, 3, [box], method);
    expect(changedOutside(before, after, box)).toBe(0);
    expect(changedInside(before, after, box)).toBeGreaterThan(0.9);
  });

  it('masks to black', () => {
    const px = pattern();
    redact(px, W, H, 3, [box], 'mask');
    expect(px[(12 * W + 20) * 3]).toBe(0);
  });

  it('pixelates in blocks of at least 8 px, each of one colour', () => {
    expect(pixelBlock({ x: 0, y: 0, width: 20, height: 20 })).toBe(MIN_PIXEL_BLOCK);
    expect(pixelBlock({ x: 0, y: 0, width: 240, height: 100 })).toBe(20);
    const px = pattern();
    redact(px, W, H, 3, [box], 'pixelate');
    const at = (x: number, y: number) => px.subarray((y * W + x) * 3, (y * W + x) * 3 + 3).toString('hex');
    expect(at(10, 8)).toBe(at(17, 15)); // same 8×8 block
    expect(at(10, 8)).not.toBe(at(18, 8)); // next block
  });

  it('leaves the alpha channel of an RGBA image alone and clips boxes to the image', () => {
    const px = Buffer.alloc(W * H * 4, 200);
    redact(px, W, H, 4, [{ x: -10, y: -10, width: 30, height: 30 }], 'mask');
    expect([...px.subarray(0, 4)]).toEqual([0, 0, 0, 200]);
    expect(px[(30 * W + 30) * 4]).toBe(200);
  });
});
