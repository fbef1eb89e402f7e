import { endianness } from 'node:os';

// Signals are stored as Int32 little-endian (4 bytes a sample) whatever the machine's byte order,
// so a database written on one architecture reads the same on another.

const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeSignal(samples: ArrayLike<number>): Buffer {
  // On a little-endian machine an Int32Array already is the stored form: no copy.
  if (LITTLE_ENDIAN && samples instanceof Int32Array) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const bytes = Buffer.allocUnsafe(samples.length * 4);
  for (let i = 0; i < samples.length; i++) bytes.writeInt32LE(samples[i], i * 4);
  return bytes;
}

export function decodeSignal(bytes: Buffer): Int32Array {
  if (bytes.length % 4 !== 0) throw new RangeError(`a stored signal of ${bytes.length} bytes is not a whole number of Int32 samples`);
  // slice() copies into a fresh, aligned buffer; pg hands out Buffers at any byte offset.
  if (LITTLE_ENDIAN) return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const samples = new Int32Array(bytes.length / 4);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt32LE(i * 4);
  return samples;
}
