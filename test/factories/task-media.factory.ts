import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const FIXTURES = join(__dirname, '..', 'fixtures', 'tasks');

/** NASA's portrait of Eileen Collins (public domain, from Debian's python3-skimage): one person, one face. */
export const astronautJpeg = (): Buffer => readFileSync(join(FIXTURES, 'astronaut.jpg'));

/** A car seen from behind (OpenCV's samples/data, Apache-2.0 per Debian's opencv-doc copyright). */
export const carJpeg = (): Buffer => readFileSync(join(FIXTURES, 'car.jpg'));

/** Where `carWithPlate` draws its plate, in the car image's pixels. */
export const SYNTHETIC_PLATE = { x: 215, y: 240, width: 120, height: 30 } as const;

/** The car with a synthetic EU-style plate drawn on its rear (an SVG text overlay). */
export function carWithPlate(): Promise<Buffer> {
  const { width, height } = SYNTHETIC_PLATE;
  const svg = Buffer.from(
    `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
      `<rect x="1" y="1" width="${width - 2}" height="${height - 2}" rx="3" fill="#f4f4f4" stroke="#111" stroke-width="2"/>` +
      `<text x="${width / 2}" y="23" font-family="DejaVu Sans, sans-serif" font-size="21" font-weight="bold" text-anchor="middle" fill="#111">AB 123 CD</text></svg>`,
  );
  return sharp(carJpeg()).composite([{ input: svg, left: SYNTHETIC_PLATE.x, top: SYNTHETIC_PLATE.y }]).jpeg({ quality: 92 }).toBuffer();
}

/** A PNG whose header claims `width`×`height` but which holds almost nothing: a decompression bomb's shape. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr[16] = 8;
  ihdr[17] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.alloc(64)]);
}

/** Mean absolute difference of two equally sized images inside a box (RGB, 0-255). */
export async function meanDifference(a: Buffer, b: Buffer, box: { x: number; y: number; width: number; height: number }): Promise<number> {
  const crop = (img: Buffer) =>
    sharp(img).removeAlpha().extract({ left: Math.round(box.x), top: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) }).raw().toBuffer();
  const [pa, pb] = await Promise.all([crop(a), crop(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i] - pb[i]);
  return sum / pa.length;
}
