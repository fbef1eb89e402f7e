import { Transform, TransformCallback } from 'node:stream';

export type AudioFormat = 'wav' | 'mp3' | 'ogg' | 'flac';

/** Bytes needed to tell the formats apart (RIFF....WAVE is the longest signature). */
export const AUDIO_SNIFF_BYTES = 12;

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

/**
 * The container named by a file's first bytes, or undefined. The name and the client's
 * content type are not trusted: a text file renamed `.wav` is refused here.
 */
export function sniffAudioFormat(head: Uint8Array): AudioFormat | undefined {
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'wav';
  if (ascii(head, 0, 'OggS')) return 'ogg';
  if (ascii(head, 0, 'fLaC')) return 'flac';
  if (ascii(head, 0, 'ID3')) return 'mp3';
  // A bare MPEG audio frame: 11 sync bits, then a layer that is not the reserved 00 (which
  // AAC's ADTS header uses, so AAC is not taken for MP3).
  if (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0) return 'mp3';
  return undefined;
}

/**
 * Passes bytes through once the first AUDIO_SNIFF_BYTES name an audio container, failing with
 * `error()` otherwise; `format` holds the answer. An empty stream passes (the caller answers 422).
 */
export class AudioSniffer extends Transform {
  format?: AudioFormat;
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(private readonly error: () => Error) {
    super();
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    if (this.format) return done(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < AUDIO_SNIFF_BYTES) return done();
    this.decide(done);
  }

  override _flush(done: TransformCallback): void {
    if (this.format || this.headBytes === 0) return done();
    this.decide(done);
  }

  private decide(done: TransformCallback): void {
    const buffered = Buffer.concat(this.head);
    this.head = [];
    this.format = sniffAudioFormat(buffered);
    if (!this.format) return done(this.error());
    done(null, buffered);
  }
}
