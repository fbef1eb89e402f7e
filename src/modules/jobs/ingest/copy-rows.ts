/**
 * One batch of COPY rows as one growing byte buffer: rows are encoded once, straight into the
 * bytes COPY sends, instead of living as 20,000 strings joined and encoded again at commit. Each
 * row's end offset and line number are kept, so a batch PostgreSQL refuses can still be written
 * one row at a time.
 */
export class CopyRows {
  private bytes: Buffer;
  private used = 0;
  private readonly ends: number[] = [];
  private readonly lineNos: number[] = [];

  constructor(initialBytes = 1 << 20) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.ends.length;
  }

  /** Appends one row (`toCopyRow`'s text, ending in `\n`) for file line `lineNo`. */
  push(lineNo: number, row: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const worst = row.length * 3;
    if (this.used + worst > this.bytes.length) this.grow(this.used + worst);
    this.used += this.bytes.write(row, this.used, 'utf8');
    this.ends.push(this.used);
    this.lineNos.push(lineNo);
  }

  /** Every row, as the bytes COPY reads (a view, not a copy). */
  all(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  /** Each row's bytes with its line number, for the row-by-row fallback. */
  *each(): Generator<{ lineNo: number; row: Buffer }> {
    let start = 0;
    for (let i = 0; i < this.ends.length; i++) {
      yield { lineNo: this.lineNos[i], row: this.bytes.subarray(start, this.ends[i]) };
      start = this.ends[i];
    }
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }
}
