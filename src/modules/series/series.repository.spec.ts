import { parseBinaryCopyRow } from './series.repository';

/** A PostgreSQL binary COPY stream: signature, flags, header extension, rows, trailer. */
function copyStream(rows: (Buffer | null)[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4), Buffer.from([0, 0, 0, 2, 0xaa, 0xbb])];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const field of row) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(field ? field.length : -1);
      parts.push(length, ...(field ? [field] : []));
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

describe('parseBinaryCopyRow', () => {
  it('answers the fields of the first row, NULL as null, skipping a header extension', () => {
    const values = Buffer.from(new Float64Array([0.1, -2]).buffer);
    expect(parseBinaryCopyRow(copyStream([[values, null]]))).toEqual([values, null]);
  });

  it('answers null when there is no row, and refuses what is not binary COPY', () => {
    expect(parseBinaryCopyRow(copyStream([]))).toBeNull();
    expect(() => parseBinaryCopyRow(Buffer.from('\\x0102 not binary copy at all'))).toThrow(/binary COPY/);
  });
});
