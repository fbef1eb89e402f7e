import type { Request, Response } from 'express';
import { toSeriesResponse } from '../dto/series.dto';
import type { SeriesRead } from '../series.service';
import type { EncodedPointsCache } from './encoded-points.cache';
import { binaryPoints, csvPoints, jsonPoints } from './series-encoders';

/**
 * Answers a read in the representation the client accepts (JSON unless it prefers CSV or
 * binary). Text is produced in pieces and written as it is made, waiting for the socket to
 * drain, so the first bytes leave early; a full read keeps its pieces in `cache` for the next
 * full read of the same series (see EncodedPointsCache).
 */
export async function sendSeries(req: Request, res: Response, { series, points, full }: SeriesRead, cache: EncodedPointsCache): Promise<void> {
  const type = req.accepts(['application/json', 'text/csv', 'application/octet-stream']) || 'application/json';
  res.vary('Accept');
  if (type === 'application/octet-stream') {
    const body = binaryPoints(points);
    res.status(200).type('application/octet-stream').setHeader('X-Series-Count', String(body.length / 16));
    res.end(body);
    return;
  }
  if (type === 'text/csv') {
    res.status(200).type('text/csv; charset=utf-8');
    res.write('timestamp,value\n');
    await writeCached(res, full ? cache : null, series.id, 'csv', () => csvPoints(points), '');
    return;
  }
  const head = JSON.stringify(toSeriesResponse(series));
  res.status(200).type('application/json; charset=utf-8');
  res.write(`${head.slice(0, -1)},"points":[`);
  await writeCached(res, full ? cache : null, series.id, 'json', () => jsonPoints(points), ']}');
}

async function writeCached(
  res: Response,
  cache: EncodedPointsCache | null,
  seriesId: string,
  format: 'json' | 'csv',
  encode: () => Iterable<Buffer>,
  tail: string,
): Promise<void> {
  const cached = cache?.get(seriesId, format);
  if (cached) {
    await writeAll(res, cached, tail);
    return;
  }
  const kept: Buffer[] = [];
  const completed = await writeAll(res, keeping(encode(), kept), tail);
  if (cache && completed) cache.set(seriesId, format, kept);
}

function* keeping(pieces: Iterable<Buffer>, kept: Buffer[]): Generator<Buffer> {
  for (const piece of pieces) {
    kept.push(piece);
    yield piece;
  }
}

/** Writes every piece and the tail; false when the client went away first. */
async function writeAll(res: Response, pieces: Iterable<Buffer>, tail: string): Promise<boolean> {
  for (const piece of pieces) {
    if (res.destroyed) return false;
    if (!res.write(piece)) {
      await drainedOrClosed(res);
    }
  }
  if (res.destroyed) return false;
  res.end(tail);
  return true;
}

function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
