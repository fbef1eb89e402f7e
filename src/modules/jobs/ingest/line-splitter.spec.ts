import { Readable } from 'node:stream';
import { splitLines, type SplitLine, type SplitLinesOptions } from './line-splitter';

// The file as object storage would stream it, cut every `chunkSize` bytes.
async function* inChunks(file: Buffer, chunkSize: number): AsyncGenerator<Buffer> {
  for (let start = 0; start < file.length; start += chunkSize) yield file.subarray(start, start + chunkSize);
}

async function collect(source: AsyncIterable<Uint8Array>, options: SplitLinesOptions): Promise<SplitLine[]> {
  const lines: SplitLine[] = [];
  for await (const line of splitLines(source, options)) lines.push(line);
  return lines;
}

function split(file: string | Buffer, chunkSize: number, options: Partial<SplitLinesOptions> = {}): Promise<SplitLine[]> {
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  return collect(inChunks(bytes, chunkSize), { maxLineBytes: 1024, ...options });
}

// The expected lines of a string file with a byte offset computed independently of the splitter.
function expectedLines(file: string, terminator = '\n'): SplitLine[] {
  const texts = file.split(terminator);
  if (texts[texts.length - 1] === '') texts.pop();
  let offset = 0;
  return texts.map((text, index) => {
    offset += Buffer.byteLength(text) + (index < texts.length - 1 || file.endsWith(terminator) ? Buffer.byteLength(terminator) : 0);
    return { lineNo: index + 1, text, bytesEnd: offset };
  });
}

const SMALL_FILE = [
  '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"start"}',
  '',
  '{"message":"Zürich → 東京 🚀"}',
  '   ',
  '{"level":"WARN","message":"ñ"}',
  '',
  '',
  'last',
].join('\n');

describe('splitLines', () => {
  it('splits a small file the same way whatever the chunk size, from 1 byte up to the whole file', async () => {
    const expected = expectedLines(SMALL_FILE);
    expect(expected).toHaveLength(8);
    const size = Buffer.byteLength(SMALL_FILE);
    for (let chunkSize = 1; chunkSize <= size + 1; chunkSize += 1) {
      expect({ chunkSize, lines: await split(SMALL_FILE, chunkSize) }).toEqual({ chunkSize, lines: expected });
    }
  });

  it('drops the \\r of CRLF line ends, at every chunk size', async () => {
    const file = SMALL_FILE.split('\n').join('\r\n');
    const expected = expectedLines(file, '\r\n');
    for (let chunkSize = 1; chunkSize <= Buffer.byteLength(file); chunkSize += 1) {
      expect({ chunkSize, lines: await split(file, chunkSize) }).toEqual({ chunkSize, lines: expected });
    }
    expect(expected.map((line) => ('text' in line ? line.text : null))).toEqual(SMALL_FILE.split('\n'));
  });

  it('keeps a \\r that does not end a line, and drops one that ends the last line', async () => {
    expect(await split('a\rb\r\nc\r', 2)).toEqual([
      { lineNo: 1, text: 'a\rb', bytesEnd: 5 },
      { lineNo: 2, text: 'c', bytesEnd: 7 },
    ]);
  });

  it('yields a last line that has no trailing newline, and no phantom line after a trailing one', async () => {
    expect(await split('a\nb', 1)).toEqual([
      { lineNo: 1, text: 'a', bytesEnd: 2 },
      { lineNo: 2, text: 'b', bytesEnd: 3 },
    ]);
    expect(await split('a\nb\n', 1)).toEqual([
      { lineNo: 1, text: 'a', bytesEnd: 2 },
      { lineNo: 2, text: 'b', bytesEnd: 4 },
    ]);
  });

  it('yields empty lines as empty text so the caller can skip them', async () => {
    expect(await split('\n\na\n\n', 3)).toEqual([
      { lineNo: 1, text: '', bytesEnd: 1 },
      { lineNo: 2, text: '', bytesEnd: 2 },
      { lineNo: 3, text: 'a', bytesEnd: 4 },
      { lineNo: 4, text: '', bytesEnd: 5 },
    ]);
  });

  it('yields nothing for an empty file, and one empty line for a lone newline', async () => {
    expect(await split('', 4)).toEqual([]);
    expect(await split('\n', 4)).toEqual([{ lineNo: 1, text: '', bytesEnd: 1 }]);
  });

  it('reassembles multi-byte characters cut across chunks at every possible byte', async () => {
    // 2-, 3- and 4-byte sequences, so every split position inside each kind is exercised.
    const file = 'é€😀\n😀€é\n';
    for (let chunkSize = 1; chunkSize <= Buffer.byteLength(file); chunkSize += 1) {
      const texts = (await split(file, chunkSize)).map((line) => ('text' in line ? line.text : null));
      expect({ chunkSize, texts }).toEqual({ chunkSize, texts: ['é€😀', '😀€é'] });
    }
  });

  it('decodes bytes that are not UTF-8 to U+FFFD and keeps the line for the validator to judge', async () => {
    const file = Buffer.concat([Buffer.from('{"message":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}\nok\n')]);
    for (const chunkSize of [1, 2, 3, 100]) {
      expect(await split(file, chunkSize)).toEqual([
        { lineNo: 1, text: '{"message":"a\uFFFD\uFFFDb"}', bytesEnd: 19 },
        { lineNo: 2, text: 'ok', bytesEnd: 22 },
      ]);
    }
  });

  it('strips a UTF-8 BOM at the start of the file, even split across chunks, and counts its bytes', async () => {
    const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n\uFEFFb\n')]);
    for (const chunkSize of [1, 2, 4, 100]) {
      expect(await split(file, chunkSize)).toEqual([
        { lineNo: 1, text: '{"a":1}', bytesEnd: 11 },
        // Only the file's first bytes are a BOM; inside the file U+FEFF is content.
        { lineNo: 2, text: '\uFEFFb', bytesEnd: 16 },
      ]);
    }
    expect(await split('\uFEFF\nx', 1)).toEqual([
      { lineNo: 1, text: '', bytesEnd: 4 },
      { lineNo: 2, text: 'x', bytesEnd: 5 },
    ]);
  });

  describe('an over-long line', () => {
    const long = 'x'.repeat(50);
    const file = `first\n${long}\nthird\n${long}`;

    it('is yielded once as tooLong and the lines after it are intact, at every chunk size', async () => {
      for (let chunkSize = 1; chunkSize <= file.length; chunkSize += 1) {
        expect({ chunkSize, lines: await split(file, chunkSize, { maxLineBytes: 10 }) }).toEqual({
          chunkSize,
          lines: [
            { lineNo: 1, text: 'first', bytesEnd: 6 },
            { lineNo: 2, tooLong: true, bytesEnd: 57 },
            { lineNo: 3, text: 'third', bytesEnd: 63 },
            { lineNo: 4, tooLong: true, bytesEnd: 113 },
          ],
        });
      }
    });

    it('is measured without its line end: exactly maxLineBytes fits, with \\n or \\r\\n, one more byte does not', async () => {
      for (const chunkSize of [1, 3, 7, 100]) {
        expect(await split('12345\r\n123456\r\n12345\n123456\n12345', chunkSize, { maxLineBytes: 5 })).toEqual([
          { lineNo: 1, text: '12345', bytesEnd: 7 },
          { lineNo: 2, tooLong: true, bytesEnd: 15 },
          { lineNo: 3, text: '12345', bytesEnd: 21 },
          { lineNo: 4, tooLong: true, bytesEnd: 28 },
          { lineNo: 5, text: '12345', bytesEnd: 33 },
        ]);
      }
    });

    it('is measured in bytes, not characters', async () => {
      expect(await split('éé\néé€\n', 2, { maxLineBytes: 4 })).toEqual([
        { lineNo: 1, text: 'éé', bytesEnd: 5 },
        { lineNo: 2, tooLong: true, bytesEnd: 13 },
      ]);
    });

    it('is never held in memory beyond the limit', async () => {
      // A 64 MiB line in 64 KiB chunks: the held parts never exceed maxLineBytes + 1 bytes, so the
      // heap stays far below the line's size.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      async function* hugeLine() {
        yield Buffer.from('ok\n');
        for (let i = 0; i < 1024; i += 1) yield chunk;
        yield Buffer.from('\nafter\n');
      }
      const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      let peak = 0;
      const lines: SplitLine[] = [];
      for await (const line of splitLines(hugeLine(), { maxLineBytes: 1024 * 1024 })) {
        lines.push(line);
        peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before);
      }
      expect(lines).toEqual([
        { lineNo: 1, text: 'ok', bytesEnd: 3 },
        { lineNo: 2, tooLong: true, bytesEnd: 3 + 64 * 1024 * 1024 + 1 },
        { lineNo: 3, text: 'after', bytesEnd: 3 + 64 * 1024 * 1024 + 7 },
      ]);
      expect(peak).toBeLessThan(32 * 1024 * 1024);
    });
  });

  describe('resuming with startLine', () => {
    const file = 'l1\n\nl3\nl4-is-too-long\nl5\nl6';

    it.each([1, 2, 3, 4, 5, 6])('from line %i yields exactly the remaining lines, numbered as in the file', async (startLine) => {
      const all = await split(file, 1024, { maxLineBytes: 5 });
      expect(all).toHaveLength(6);
      for (const chunkSize of [1, 2, 5, 1024]) {
        expect(await split(file, chunkSize, { maxLineBytes: 5, startLine })).toEqual(all.slice(startLine - 1));
      }
    });

    it('yields nothing when startLine is past the end', async () => {
      expect(await split(file, 2, { startLine: 7 })).toEqual([]);
      expect(await split(file, 2, { startLine: 100 })).toEqual([]);
    });
  });

  it('ends with bytesEnd equal to the file size, for files with and without a final newline', async () => {
    for (const file of [SMALL_FILE, `${SMALL_FILE}\n`, `${SMALL_FILE}\r\n`, '\n\n\n', 'x']) {
      const size = Buffer.byteLength(file);
      for (const chunkSize of [1, 7, size]) {
        const lines = await split(file, chunkSize);
        expect(lines[lines.length - 1].bytesEnd).toBe(size);
        // Strictly increasing, so progress never goes backwards.
        for (let i = 1; i < lines.length; i += 1) expect(lines[i].bytesEnd).toBeGreaterThan(lines[i - 1].bytesEnd);
      }
    }
  });

  it('reads a Readable stream, and destroys it when the caller stops early', async () => {
    const stream = Readable.from([Buffer.from('a\nb\n'), Buffer.from('c\nd\n')], { objectMode: false });
    const seen: SplitLine[] = [];
    for await (const line of splitLines(stream, { maxLineBytes: 10 })) {
      seen.push(line);
      if (line.lineNo === 2) break;
    }
    expect(seen).toEqual([
      { lineNo: 1, text: 'a', bytesEnd: 2 },
      { lineNo: 2, text: 'b', bytesEnd: 4 },
    ]);
    expect(stream.destroyed).toBe(true);
  });

  it('passes on the error of a failing source', async () => {
    async function* failing() {
      yield Buffer.from('a\n');
      throw new Error('connection reset');
    }
    const seen: SplitLine[] = [];
    await expect(
      (async () => {
        for await (const line of splitLines(failing(), { maxLineBytes: 10 })) seen.push(line);
      })(),
    ).rejects.toThrow('connection reset');
    expect(seen).toEqual([{ lineNo: 1, text: 'a', bytesEnd: 2 }]);
  });

  it('refuses a stream that yields strings rather than bytes', async () => {
    const stream = Readable.from(['a\n']);
    await expect(collect(stream, { maxLineBytes: 10 })).rejects.toThrow(TypeError);
  });

  it.each([
    [{ maxLineBytes: 0 }],
    [{ maxLineBytes: 1.5 }],
    [{ maxLineBytes: 10, startLine: 0 }],
    [{ maxLineBytes: 10, startLine: Number.NaN }],
  ])('refuses options %j', async (options) => {
    await expect(split('a\n', 1, options)).rejects.toThrow(RangeError);
  });
});
