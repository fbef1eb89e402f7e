import { decodeSignal, encodeSignal } from './signal-codec';

describe('signal codec', () => {
  it('round-trips samples including the int32 extremes', () => {
    const samples = [0, 1, -1, 1000, -2000, 2 ** 31 - 1, -(2 ** 31)];
    expect(Array.from(decodeSignal(encodeSignal(samples)))).toEqual(samples);
  });

  it('stores 4 bytes a sample, little-endian whatever the machine', () => {
    expect([...encodeSignal([1, -2])]).toEqual([0x01, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff]);
  });

  it('decodes from a Buffer at any byte offset (pg hands out slices of a pool)', () => {
    const pooled = Buffer.concat([Buffer.from([9]), encodeSignal([7, -7])]).subarray(1);
    expect(Array.from(decodeSignal(pooled))).toEqual([7, -7]);
  });

  it('refuses bytes that are not whole samples', () => {
    expect(() => decodeSignal(Buffer.alloc(5))).toThrow(RangeError);
  });
});
