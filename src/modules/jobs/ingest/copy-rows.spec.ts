import { CopyRows } from './copy-rows';

describe('CopyRows', () => {
  it('holds the rows as the bytes COPY reads, in order, past its first buffer', () => {
    const rows = new CopyRows(8);
    rows.push(1, 'a\tb\n');
    rows.push(3, 'é😀\tc\n');
    rows.push(4, 'x'.repeat(100) + '\n');
    expect(rows.length).toBe(3);
    expect(rows.all().toString('utf8')).toBe(`a\tb\né😀\tc\n${'x'.repeat(100)}\n`);
  });

  it('gives each row back with its line number, for the row-by-row fallback', () => {
    const rows = new CopyRows(4);
    rows.push(2, 'one\n');
    rows.push(5, 'twö\n');
    expect([...rows.each()].map(({ lineNo, row }) => [lineNo, row.toString('utf8')])).toEqual([
      [2, 'one\n'],
      [5, 'twö\n'],
    ]);
  });
});
