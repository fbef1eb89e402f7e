import { Injectable } from '@nestjs/common';

/**
 * Bytes kept for recently read series: a full read (no window, no downsampling) in JSON or CSV
 * keeps the pieces it wrote, and the next full read of that series in that format writes them
 * again instead of formatting a million numbers. Stored series never change (there is no update
 * route), so an entry stays right until the series is deleted; the caller checks existence and
 * ownership in the database before every lookup, so a series deleted through another API
 * instance still answers 404 there. Least recently used entries go first past the byte budget.
 */
export const ENCODED_POINTS_BUDGET_BYTES = 256 * 1024 * 1024;
/** One 1M-point JSON answer is about 68 MB; larger ones are served but not kept. */
const MAX_ENTRY_BYTES = ENCODED_POINTS_BUDGET_BYTES / 2;

@Injectable()
export class EncodedPointsCache {
  private readonly entries = new Map<string, { pieces: Buffer[]; bytes: number }>();
  private bytes = 0;

  get(seriesId: string, format: string): Buffer[] | undefined {
    const key = `${seriesId}:${format}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting marks the entry as most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.pieces;
  }

  set(seriesId: string, format: string, pieces: Buffer[]): void {
    const bytes = pieces.reduce((sum, piece) => sum + piece.buffer.byteLength, 0);
    if (bytes > MAX_ENTRY_BYTES) return;
    const key = `${seriesId}:${format}`;
    this.remove(key);
    this.entries.set(key, { pieces, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= ENCODED_POINTS_BUDGET_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  forget(seriesId: string): void {
    this.remove(`${seriesId}:json`);
    this.remove(`${seriesId}:csv`);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
