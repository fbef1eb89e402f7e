import type { Request, Response } from 'express';
import { toSeriesResponse } from '../dto/series.dto';
import { SeriesError } from '../series.errors';
import type { BinaryStream, SeriesRead } from '../series.service';
import { binaryPoints, littleEndian } from './series-encoders';

export type SeriesFormat = 'json' | 'csv' | 'binary';

const MEDIA_TYPES: Record<string, SeriesFormat> = { 'application/json': 'json', 'text/csv': 'csv', 'application/octet-stream': 'binary' };

/** The representation the client accepts best; JSON when it accepts none of them (or anything). */
export function negotiateFormat(req: Request): SeriesFormat {
  const type = req.accepts(Object.keys(MEDIA_TYPES));
  return type ? MEDIA_TYPES[type] : 'json';
}

/**
 * Writes a read. Text is produced in pieces and written as it is made, waiting for the socket to
 * drain, so the first bytes leave early; pieces of a read the service may keep (`read.keep`) are
 * handed back once all of them were written, and a read the service found kept (`read.cached`)
 * is written as it is.
 */
export async function sendSeries(res: Response, read: SeriesRead): Promise<void> {
  const { series, format } = read;
  res.vary('Accept');
  if (read.stream) return sendBinaryStream(res, series.id, read.stream);
  if (format === 'binary') {
    const body = binaryPoints(read.points!);
    res.status(200).type('application/octet-stream').setHeader('X-Series-Count', String(body.length / 16));
    res.end(body);
    return;
  }
  let tail = '';
  if (format === 'csv') {
    res.status(200).type('text/csv; charset=utf-8');
    res.write('timestamp,value\n');
  } else {
    const head = JSON.stringify(toSeriesResponse(series));
    res.status(200).type('application/json; charset=utf-8');
    res.write(`${head.slice(0, -1)},"points":[`);
    tail = ']}';
  }
  if (read.cached) {
    await writeAll(res, read.cached, tail);
    return;
  }
  const kept: Buffer[] = [];
  const pieces = read.formatted!;
  const completed = await writeAll(res, read.keep ? keeping(pieces, kept) : pieces, tail);
  if (completed) read.keep?.(kept);
}

/** Bytes the socket may hold unsent before the COPY waits for it to drain. */
const AHEAD_BYTES = 4 * 1024 * 1024;

/**
 * A binary read straight from the database's COPY to the socket: the stored little-endian bytes
 * are written as slices of the COPY's chunks (timestamps, computed here for a uniform series,
 * then values), up to AHEAD_BYTES ahead of the socket. Headers wait for the row, so a series
 * deleted meanwhile is still a 404; a client that goes away ends the COPY.
 */
async function sendBinaryStream(res: Response, id: string, stream: BinaryStream): Promise<void> {
  const { count } = stream;
  const head = () => {
    if (res.headersSent) return;
    res.status(200).type('application/octet-stream').setHeader('X-Series-Count', String(count));
    res.setHeader('Content-Length', String(count * 16));
  };
  const sink = {
    fieldStart(field: number, length: number) {
      head();
      if (field === 0 && length === -1) {
        const times = new Float64Array(count);
        for (let i = 0; i < count; i++) times[i] = stream.timeAt(i);
        res.write(littleEndian(times));
      }
    },
    fieldBytes(_field: number, bytes: Buffer) {
      res.write(bytes);
    },
  };
  const pace = () => {
    if (res.destroyed) throw new Error('the client went away');
    return res.writableLength > AHEAD_BYTES ? drainedOrClosed(res) : undefined;
  };
  let found: boolean;
  try {
    found = await stream.copy(sink, pace);
  } catch (error) {
    if (res.destroyed) return;
    if (res.headersSent) {
      res.destroy(error as Error);
      return;
    }
    throw error;
  }
  if (!found) throw SeriesError.notFound(id);
  if (count === 0) head();
  res.end();
}

async function* keeping(pieces: Iterable<Buffer> | AsyncIterable<Buffer>, kept: Buffer[]): AsyncGenerator<Buffer> {
  for await (const piece of pieces) {
    kept.push(piece);
    yield piece;
  }
}

/** Writes every piece and the tail, AHEAD_BYTES ahead of the socket at most; false when the client went away first. */
async function writeAll(res: Response, pieces: Iterable<Buffer> | AsyncIterable<Buffer>, tail: string): Promise<boolean> {
  for await (const piece of pieces) {
    if (res.destroyed) return false;
    // Up to AHEAD_BYTES ahead of the socket, so formatting the next pieces overlaps the sending of these.
    if (!res.write(piece) && res.writableLength > AHEAD_BYTES) {
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
