import { Transform, TransformCallback } from 'node:stream';

/** How much of a file's start is checked for being text. */
export const SNIFF_BYTES = 8 * 1024;

/**
 * True when the bytes look like UTF-8 text: no NUL byte and valid UTF-8 (a multi-byte character
 * cut by the end of the sample is fine).
 */
export function looksLikeUtf8Text(sample: Uint8Array): boolean {
  if (sample.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Passes bytes through, failing with `error()` if the first SNIFF_BYTES are not text. */
export class TextSniffer extends Transform {
  private seen = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly error: () => Error) {
    super();
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    if (this.seen < SNIFF_BYTES) {
      const sample = chunk.subarray(0, SNIFF_BYTES - this.seen);
      this.seen += sample.length;
      try {
        if (sample.includes(0)) throw new Error('NUL');
        this.decoder.decode(sample, { stream: true });
      } catch {
        return done(this.error());
      }
    }
    done(null, chunk);
  }
}
