import { CopyFieldSplitter, CopyRowCollector } from './binary-copy';

/** A binary COPY stream of rows of bytea fields (null for NULL), as PostgreSQL writes it. */
function copyStream(rows: (Buffer | null)[][], extension = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4)];
  const length = Buffer.alloc(4);
  length.writeUInt32BE(extension.length);
  parts.push(length, extension);
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const field of row) {
      const size = Buffer.alloc(4);
      size.writeInt32BE(field ? field.length : -1);
      parts.push(size, field ?? Buffer.alloc(0));
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

function split(data: Buffer, size: number): { fields: (Buffer | null)[]; rowSeen: boolean } {
  const fields: (Buffer[] | null)[] = [];
  const splitter = new CopyFieldSplitter({
    fieldStart: (field, length) => (fields[field] = length === -1 ? null : []),
    fieldBytes: (field, bytes) => fields[field]!.push(Buffer.from(bytes)),
  });
  for (let i = 0; i < data.length; i += size) splitter.push(data.subarray(i, i + size));
  return { fields: fields.map((f) => (f ? Buffer.concat(f) : null)), rowSeen: splitter.rowSeen };
}

describe('CopyFieldSplitter', () => {
  const a = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
  const b = Buffer.from('values');

  it.each([1, 2, 3, 7, 19, 64, 10_000])('hands on the first row fields whatever the chunking (%i bytes)', (size) => {
    expect(split(copyStream([[null, a, Buffer.alloc(0), b], [b]], Buffer.from('ext')), size)).toEqual({ fields: [null, a, Buffer.alloc(0), b], rowSeen: true });
  });

  it('reports no row, and refuses what is not binary COPY', () => {
    expect(split(copyStream([]), 5)).toEqual({ fields: [], rowSeen: false });
    expect(() => split(Buffer.alloc(40), 40)).toThrow('not a PostgreSQL binary COPY stream');
  });

  it('collects the row whole for a caller that needs it (NULL and no row as null)', () => {
    const values = Buffer.from(new Float64Array([0.1, -2]).buffer);
    const row = new CopyRowCollector();
    const splitter = new CopyFieldSplitter(row);
    const data = copyStream([[values, null]]);
    for (let i = 0; i < data.length; i += 5) splitter.push(data.subarray(i, i + 5));
    expect([row.field(0), row.field(1), row.field(2)]).toEqual([values, null, null]);
    const none = new CopyRowCollector();
    new CopyFieldSplitter(none).push(copyStream([]));
    expect(none.field(0)).toBeNull();
  });
});
