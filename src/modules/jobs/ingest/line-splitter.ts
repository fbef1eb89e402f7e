export interface SplitLinesOptions {
  /** Longest line kept, in bytes, not counting its `\n` or `\r\n`; longer ones are yielded as `tooLong`. */
  maxLineBytes: number;
  /** 1-based number of the first line to yield; earlier lines are read and counted but not yielded. */
  startLine?: number;
}

/**
 * `bytesEnd` is the byte offset just after the line and its terminator: progress is
 * `bytesEnd / size`, and the last line's `bytesEnd` is the size of the file.
 */
export type SplitLine =
  | { lineNo: number; text: string; bytesEnd: number }
  | { lineNo: number; tooLong: true; bytesEnd: number };

const LF = 0x0a;
const CR = 0x0d;

// Lines of a UTF-8 byte stream, numbered from 1. Lines are cut on bytes before decoding: 0x0A
// never occurs inside a multi-byte UTF-8 sequence, so a character split across chunks is always
// whole again once its line is. Bytes that are not valid UTF-8 decode to U+FFFD and are left to
// JSON.parse (see LogEntry). A `\r` ending a line is dropped, a BOM at the start of the file too,
// and a last line without `\n` is still a line; an empty line is yielded as ''.
export async function* splitLines(
  source: AsyncIterable<Uint8Array>,
  options: SplitLinesOptions,
): AsyncGenerator<SplitLine, void, undefined> {
  const { maxLineBytes, startLine = 1 } = options;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new RangeError('maxLineBytes must be a positive integer');
  }
  if (!Number.isSafeInteger(startLine) || startLine < 1) throw new RangeError('startLine must be a positive integer');

  // The current line's bytes from earlier chunks, kept as a list and joined once when the line
  // ends, so a line spread over many chunks costs linear, not quadratic, copying. At most
  // maxLineBytes + 1 bytes are held: the extra one may be the \r of a \r\n.
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let lineNo = 0;
  let chunkStartOffset = 0;

  for await (const raw of source) {
    if (!(raw instanceof Uint8Array)) throw new TypeError('splitLines reads bytes; was an encoding set on the stream?');
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let pos = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, pos);
      if (newline === -1) break;
      lineNo += 1;
      const bytesEnd = chunkStartOffset + newline + 1;
      if (lineNo >= startLine) {
        const line = endLine(chunk, pos, newline);
        if (line === null) yield { lineNo, tooLong: true, bytesEnd };
        else yield { lineNo, text: lineNo === 1 ? stripBom(line) : line, bytesEnd };
      }
      parts = [];
      partBytes = 0;
      tooLong = false;
      pos = newline + 1;
    }
    // The rest of the chunk begins a line that ends in a later chunk. Lines before startLine are
    // only counted, so their bytes need not be kept.
    if (pos < chunk.length && !tooLong && lineNo + 1 >= startLine) {
      partBytes += chunk.length - pos;
      if (partBytes > maxLineBytes + 1) {
        tooLong = true;
        parts = [];
      } else {
        // A copy, not a view: a view would pin the whole chunk (often 64 KiB) for a few bytes.
        parts.push(Buffer.from(chunk.subarray(pos)));
      }
    }
    chunkStartOffset += chunk.length;
  }

  // A last line without a trailing \n. Nothing is left when the file ends with \n (that \n
  // closes the last line, it does not open an empty one) or is empty.
  if (partBytes > 0 || tooLong) {
    lineNo += 1;
    if (lineNo >= startLine) {
      const line = endLine(Buffer.alloc(0), 0, 0);
      if (line === null) yield { lineNo, tooLong: true, bytesEnd: chunkStartOffset };
      else yield { lineNo, text: lineNo === 1 ? stripBom(line) : line, bytesEnd: chunkStartOffset };
    }
  }

  // The text of the line made of the held parts plus chunk[start, end), without a final \r;
  // null when it is longer than maxLineBytes.
  function endLine(chunk: Buffer, start: number, end: number): string | null {
    if (tooLong) return null;
    if (parts.length === 0) {
      // The common case, a line within one chunk: decoded straight from the chunk, no copy.
      if (end > start && chunk[end - 1] === CR) end -= 1;
      return end - start > maxLineBytes ? null : chunk.toString('utf8', start, end);
    }
    let length = partBytes + end - start;
    const lastPart = parts[parts.length - 1];
    const lastByte = end > start ? chunk[end - 1] : lastPart[lastPart.length - 1];
    if (lastByte === CR) length -= 1;
    if (length > maxLineBytes) return null;
    return Buffer.concat(parts.concat(chunk.subarray(start, end)), length).toString('utf8');
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
