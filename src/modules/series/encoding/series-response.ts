import type { Request, Response } from 'express';
import { toSeriesResponse } from '../dto/series.dto';
import type { SeriesRead } from '../series.service';
import { binaryPoints, csvPoints, jsonPoints } from './series-encoders';

/**
 * Answers a read in the representation the client accepts (JSON unless it prefers CSV or
 * binary). Text is produced in pieces and written as it is made, waiting for the socket to
 * drain, so a 60 MB answer never exists whole in memory and the first bytes leave early.
 */
export async function sendSeries(req: Request, res: Response, { series, points }: SeriesRead): Promise<void> {
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
    await writeAll(res, csvPoints(points), '');
    return;
  }
  const head = JSON.stringify(toSeriesResponse(series));
  res.status(200).type('application/json; charset=utf-8');
  res.write(`${head.slice(0, -1)},"points":[`);
  await writeAll(res, jsonPoints(points), ']}');
}

async function writeAll(res: Response, pieces: Iterable<Buffer>, tail: string): Promise<void> {
  for (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) {
      await drainedOrClosed(res);
    }
  }
  if (!res.destroyed) res.end(tail);
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
