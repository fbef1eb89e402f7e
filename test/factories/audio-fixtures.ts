import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Synthetic speech clips (see test/fixtures/audio/README.md) and what each says. */
export const AUDIO_FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'audio');

export const AUDIO_TEXTS: Record<string, string> = JSON.parse(readFileSync(join(AUDIO_FIXTURES_DIR, 'texts.json'), 'utf8'));

export function audioFixture(name: string): Buffer {
  return readFileSync(join(AUDIO_FIXTURES_DIR, name));
}

/** A canonical 44-byte WAV header for `dataBytes` of 16 kHz mono s16 samples. */
export function wavHeader(dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16_000, 24);
  header.writeUInt32LE(32_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
