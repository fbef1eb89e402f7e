import { Transform, TransformCallback } from 'node:stream';
import type { MediaType } from '../entities/task.entity';

export interface SniffedMedia {
  mediaType: MediaType;
  contentType: string;
  /** The extension the anonymised result keeps (videos always come back as MP4). */
  extension: string;
}

const ascii = (buf: Buffer, start: number, end: number) => buf.toString('latin1', start, end);

// QuickTime files written by old cameras start with one of these atoms instead of `ftyp`.
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);
// ISO-BMFF brands that are still images (HEIF/AVIF), not videos.
const IMAGE_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1']);

/** Bytes `sniffMedia` needs to decide; fewer answer undefined unless the stream has ended. */
export const SNIFF_BYTES = 64;

/**
 * What the bytes really are, from their magic numbers: JPEG, PNG, WebP images; MP4, MOV, WebM,
 * AVI videos. The client's Content-Type and file name are never trusted for this.
 */
export function sniffMedia(head: Buffer): SniffedMedia | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return { mediaType: 'image', contentType: 'image/jpeg', extension: 'jpg' };
  }
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { mediaType: 'image', contentType: 'image/png', extension: 'png' };
  }
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF') {
    const form = ascii(head, 8, 12);
    if (form === 'WEBP') return { mediaType: 'image', contentType: 'image/webp', extension: 'webp' };
    if (form === 'AVI ') return { mediaType: 'video', contentType: 'video/x-msvideo', extension: 'mp4' };
    return undefined;
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) {
    // EBML: WebM names its doctype in the header; plain Matroska is not on the list.
    return head.includes('webm', 0, 'latin1') ? { mediaType: 'video', contentType: 'video/webm', extension: 'mp4' } : undefined;
  }
  if (head.length >= 12) {
    const atom = ascii(head, 4, 8);
    if (atom === 'ftyp') {
      const brand = ascii(head, 8, 12);
      if (IMAGE_BRANDS.has(brand)) return undefined;
      return brand === 'qt  '
        ? { mediaType: 'video', contentType: 'video/quicktime', extension: 'mp4' }
        : { mediaType: 'video', contentType: 'video/mp4', extension: 'mp4' };
    }
    if (QUICKTIME_ATOMS.has(atom)) return { mediaType: 'video', contentType: 'video/quicktime', extension: 'mp4' };
  }
  return undefined;
}

export interface Dimensions {
  width: number;
  height: number;
}

/**
 * An image's size read from its header, without decoding it (a decompression bomb is a small
 * file with a huge size). Undefined when the header is not within `head`.
 */
export function imageDimensions(head: Buffer, contentType: string): Dimensions | undefined {
  switch (contentType) {
    case 'image/png':
      // IHDR is always the first chunk.
      return head.length >= 24 && ascii(head, 12, 16) === 'IHDR' ? { width: head.readUInt32BE(16), height: head.readUInt32BE(20) } : undefined;
    case 'image/webp':
      return webpDimensions(head);
    case 'image/jpeg':
      return jpegDimensions(head);
    default:
      return undefined;
  }
}

function webpDimensions(head: Buffer): Dimensions | undefined {
  if (head.length < 30) return undefined;
  const chunk = ascii(head, 12, 16);
  if (chunk === 'VP8X') return { width: 1 + head.readUIntLE(24, 3), height: 1 + head.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = head.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: head.readUInt16LE(26) & 0x3fff, height: head.readUInt16LE(28) & 0x3fff };
  return undefined;
}

function jpegDimensions(head: Buffer): Dimensions | undefined {
  let offset = 2;
  while (offset + 9 <= head.length) {
    if (head[offset] !== 0xff) return undefined; // not a marker where one must be: let the decoder judge
    const marker = head[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: head.readUInt16BE(offset + 5), width: head.readUInt16BE(offset + 7) };
    }
    offset += 2 + head.readUInt16BE(offset + 2);
  }
  return undefined;
}

export interface SniffLimits {
  expected: MediaType;
  maxPixels: number;
  /** How much of an image to hold while looking for its size (JPEG EXIF can push it back). */
  headerBytes?: number;
}

/** Raised mid-stream; the service maps it to 415 or 413. */
export class SniffError extends Error {
  constructor(
    readonly reason: 'not_media' | 'wrong_media_type' | 'too_many_pixels',
    message: string,
  ) {
    super(message);
    this.name = 'SniffError';
  }
}

/**
 * Passes the upload through unchanged once its first bytes prove it is media of the expected
 * kind (and, for an image, no larger than `maxPixels`); fails the stream otherwise, so nothing
 * else is stored.
 */
export class MediaSniffer extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private decided = false;
  sniffed?: SniffedMedia;
  dimensions?: Dimensions;

  constructor(private readonly limits: SniffLimits) {
    super();
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    if (this.decided) return done(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    this.tryDecide(false, done);
  }

  override _flush(done: TransformCallback): void {
    if (this.decided || this.headBytes === 0) return done();
    this.tryDecide(true, done);
  }

  private tryDecide(ended: boolean, done: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [head];
    if (!this.sniffed) {
      if (head.length < SNIFF_BYTES && !ended) return done();
      this.sniffed = sniffMedia(head);
      if (!this.sniffed) return done(new SniffError('not_media', 'The file is not a JPEG, PNG or WebP image nor an MP4, MOV, WebM or AVI video.'));
      if (this.sniffed.mediaType !== this.limits.expected) {
        return done(new SniffError('wrong_media_type', `The file is ${this.sniffed.contentType}, but the task expects ${this.limits.expected === 'image' ? 'an image' : 'a video'}.`));
      }
    }
    if (this.sniffed.mediaType === 'image') {
      this.dimensions = imageDimensions(head, this.sniffed.contentType);
      const headerBytes = this.limits.headerBytes ?? 512 * 1024;
      // No size in the first bytes: the worker's decoder still enforces the same pixel limit.
      if (!this.dimensions && !ended && head.length < headerBytes) return done();
      if (this.dimensions && this.dimensions.width * this.dimensions.height > this.limits.maxPixels) {
        const { width, height } = this.dimensions;
        return done(new SniffError('too_many_pixels', `The image is ${width}×${height} pixels, more than the ${this.limits.maxPixels} accepted.`));
      }
    }
    this.decided = true;
    this.head = [];
    done(null, head);
  }
}
