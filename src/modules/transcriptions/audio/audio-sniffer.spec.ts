import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AudioSniffer, sniffAudioFormat } from './audio-sniffer';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffAudioFormat', () => {
  it.each([
    ['wav', bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt ')],
    ['ogg', bytes('OggS', [0, 2, 0, 0, 0, 0, 0, 0])],
    ['flac', bytes('fLaC', [0, 0, 0, 0x22, 0, 0, 0, 0])],
    ['mp3', bytes('ID3', [4, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['mp3', bytes([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0])],
  ])('recognises %s by its magic bytes', (format, head) => {
    expect(sniffAudioFormat(head)).toBe(format);
  });

  it.each([
    ['text renamed .wav', bytes('hello, this is not audio')],
    ['RIFF that is not WAVE (an AVI)', bytes('RIFF', [0, 0, 0, 0], 'AVI LIST')],
    ['AAC in ADTS (layer bits 00)', bytes([0xff, 0xf1, 0x50, 0x80, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['a PNG', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])],
    ['too short to tell', bytes('RIF')],
  ])('refuses %s', (_, head) => {
    expect(sniffAudioFormat(head)).toBeUndefined();
  });
});

describe('AudioSniffer', () => {
  async function run(chunks: Buffer[]): Promise<{ out: Buffer; sniffer: AudioSniffer }> {
    const sniffer = new AudioSniffer(() => new Error('not audio'));
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunks), sniffer, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) out.push(chunk);
    });
    return { out: Buffer.concat(out), sniffer };
  }

  it('passes audio through byte for byte, even when the signature spans chunks', async () => {
    const file = bytes('RIFF', [1, 2, 3, 4], 'WAVE', 'rest of the file');
    const { out, sniffer } = await run([file.subarray(0, 3), file.subarray(3, 9), file.subarray(9)]);
    expect(out.equals(file)).toBe(true);
    expect(sniffer.format).toBe('wav');
  });

  it('fails the stream on anything else', async () => {
    await expect(run([bytes('just some text in a file')])).rejects.toThrow('not audio');
  });

  it('fails a file shorter than a signature', async () => {
    await expect(run([bytes('RIFF')])).rejects.toThrow('not audio');
  });

  it('lets an empty stream through for the caller to refuse', async () => {
    const { out } = await run([]);
    expect(out.length).toBe(0);
  });
});
