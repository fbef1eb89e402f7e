const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** What CopyFieldSplitter reports: a field's start (its byte length, -1 for NULL), then its bytes in slices. */
export interface CopyFieldSink {
  fieldStart(field: number, length: number): void;
  fieldBytes(field: number, bytes: Buffer): void;
}

/**
 * Reads the first row of a PostgreSQL binary COPY stream (signature, flags, header extension,
 * then per row an int16 field count and per field an int32 length, -1 for NULL, and the bytes)
 * chunk by chunk, and hands each field's bytes on as slices of the chunks, never copied or
 * re-assembled: a 1M-point read passes 8-16 MB straight from the database to the socket.
 * Rows after the first are ignored. `rowSeen` is false at the end when there was no row.
 */
export class CopyFieldSplitter {
  /** Header and length prefixes, gathered across chunks (at most 19 bytes at a time). */
  private pending = Buffer.alloc(0);
  private state: 'signature' | 'extension' | 'fieldCount' | 'fieldLength' | 'fieldBytes' | 'done' = 'signature';
  private need = 19;
  private fields = 0;
  private field = 0;
  private remaining = 0;
  rowSeen = false;

  constructor(private readonly sink: CopyFieldSink) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && this.state !== 'done') {
      if (this.state === 'fieldBytes') {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.sink.fieldBytes(this.field, chunk.subarray(offset, offset + take));
        offset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.nextField();
        continue;
      }
      // A fixed-size piece: take it straight from the chunk when it is all there, else gather it.
      let piece: Buffer;
      if (this.pending.length === 0 && chunk.length - offset >= this.need) {
        piece = chunk.subarray(offset, offset + this.need);
        offset += this.need;
      } else {
        const take = Math.min(this.need - this.pending.length, chunk.length - offset);
        this.pending = Buffer.concat([this.pending, chunk.subarray(offset, offset + take)]);
        offset += take;
        if (this.pending.length < this.need) return;
        piece = this.pending;
        this.pending = Buffer.alloc(0);
      }
      this.take(piece);
    }
  }

  private take(piece: Buffer): void {
    switch (this.state) {
      case 'signature': {
        if (!piece.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a PostgreSQL binary COPY stream');
        const extension = piece.readUInt32BE(15);
        if (extension > 0) return this.expect('extension', extension);
        return this.expect('fieldCount', 2);
      }
      case 'extension':
        return this.expect('fieldCount', 2);
      case 'fieldCount': {
        const fields = piece.readInt16BE(0);
        if (fields === -1) {
          this.state = 'done';
          return;
        }
        this.rowSeen = true;
        this.fields = fields;
        this.field = 0;
        if (fields === 0) {
          this.state = 'done';
          return;
        }
        return this.expect('fieldLength', 4);
      }
      case 'fieldLength': {
        const length = piece.readInt32BE(0);
        this.sink.fieldStart(this.field, length);
        if (length <= 0) return this.nextField();
        this.remaining = length;
        this.state = 'fieldBytes';
        return;
      }
      default:
        throw new Error(`CopyFieldSplitter: unexpected state ${this.state}`);
    }
  }

  private nextField(): void {
    this.field += 1;
    if (this.field === this.fields) this.state = 'done';
    else this.expect('fieldLength', 4);
  }

  private expect(state: 'extension' | 'fieldCount' | 'fieldLength', bytes: number): void {
    this.state = state;
    this.need = bytes;
  }
}

/** A sink that keeps each field of the row whole, for a caller that needs the row, not a stream; NULL (or no row) is null. */
export class CopyRowCollector implements CopyFieldSink {
  private readonly fields: (Buffer | null)[] = [];
  private readonly filled: number[] = [];

  fieldStart(field: number, length: number): void {
    this.fields[field] = length < 0 ? null : Buffer.allocUnsafe(length);
    this.filled[field] = 0;
  }

  fieldBytes(field: number, bytes: Buffer): void {
    bytes.copy(this.fields[field]!, this.filled[field]);
    this.filled[field] += bytes.length;
  }

  field(index: number): Buffer | null {
    return this.fields[index] ?? null;
  }
}
