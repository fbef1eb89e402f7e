import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { imageDimensions, MediaSniffer, sniffMedia } from './content-sniffer';

const head = (hex: string, ascii = '') => Buffer.concat([Buffer.from(hex.replace(/\s/g, ''), 'hex'), Buffer.from(ascii, 'latin1'), Buffer.alloc(64)]);
const box = (type: string, brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from(type + brand, 'latin1'), Buffer.alloc(64)]);

describe('sniffMedia', () => {
  it.each([
    ['JPEG', head('ffd8ffe0'), 'image/jpeg'],
    ['PNG', head('89504e470d0a1a0a'), 'image/png'],
    ['WebP', Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'), Buffer.alloc(64)]), 'image/webp'],
    ['MP4', box('ftyp', 'isom'), 'video/mp4'],
    ['MOV', box('ftyp', 'qt  '), 'video/quicktime'],
    ['old QuickTime', box('moov', '\0\0\0\0'), 'video/quicktime'],
    ['WebM', head('1a45dfa3', '\x42\x82\x84webm'), 'video/webm'],
    ['AVI', Buffer.concat([Buffer.from('RIFF\0\0\0\0AVI LIST', 'latin1'), Buffer.alloc(64)]), 'video/x-msvideo'],
  ])('recognises %s', (_, bytes, type) => {
    expect(sniffMedia(bytes)?.contentType).toBe(type);
  });

  it.each([
    ['text', Buffer.from('{"hello": "world"} and then some more text to fill the header'.padEnd(80))],
    ['a GIF', head('', 'GIF89a')],
    ['HEIC (an ISO-BMFF still image)', box('ftyp', 'heic')],
    ['a WAV (RIFF but not WebP/AVI)', Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(64)])],
    ['Matroska that is not WebM', head('1a45dfa3', '\x42\x82\x88matroska')],
  ])('refuses %s', (_, bytes) => {
    expect(sniffMedia(bytes)).toBeUndefined();
  });
});

describe('imageDimensions', () => {
  it.each(['jpeg', 'png', 'webp'] as const)('reads a %s header without decoding', async (format) => {
    const image = await sharp({ create: { width: 123, height: 45, channels: 3, background: '#808080' } })[format]().toBuffer();
    expect(imageDimensions(image, `image/${format}`)).toEqual({ width: 123, height: 45 });
  });

  it('finds a JPEG frame header after a large EXIF block', async () => {
    const image = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#000' } })
      .withMetadata({ exif: { IFD0: { ImageDescription: 'x'.repeat(20_000) } } })
      .jpeg()
      .toBuffer();
    expect(imageDimensions(image, 'image/jpeg')).toEqual({ width: 20, height: 10 });
  });
});

describe('MediaSniffer', () => {
  const run = (chunks: Buffer[], expected: 'image' | 'video', maxPixels = 1e9) => {
    const sniffer = new MediaSniffer({ expected, maxPixels });
    const out: Buffer[] = [];
    return pipeline(Readable.from(chunks), sniffer, async (source: AsyncIterable<Buffer>) => {
      for await (const c of source) out.push(c);
    }).then(() => ({ bytes: Buffer.concat(out), sniffer }));
  };

  it('passes the bytes through unchanged, even when they arrive one at a time', async () => {
    const image = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer();
    const { bytes, sniffer } = await run([...image].map((b) => Buffer.from([b])), 'image');
    expect(bytes.equals(image)).toBe(true);
    expect(sniffer.sniffed?.contentType).toBe('image/png');
    expect(sniffer.dimensions).toEqual({ width: 8, height: 8 });
  });

  it('fails on media of the other kind', async () => {
    await expect(run([box('ftyp', 'isom')], 'image')).rejects.toMatchObject({ reason: 'wrong_media_type' });
  });

  it('fails on an image with more pixels than allowed', async () => {
    const image = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } }).png().toBuffer();
    await expect(run([image], 'image', 9_999)).rejects.toMatchObject({ reason: 'too_many_pixels' });
  });

  it('fails on a short file that is not media', async () => {
    await expect(run([Buffer.from('hi')], 'image')).rejects.toMatchObject({ reason: 'not_media' });
  });
});
