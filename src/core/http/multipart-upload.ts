import { Readable, Transform, TransformCallback } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { toStorableText } from '../input/storable-text';

/**
 * What a service receives for an upload: the file's bytes as a stream and what the client said
 * about it. The service consumes the stream (e.g. into object storage) and never sees the request.
 */
export interface IncomingFile {
  /** Errors with PAYLOAD_TOO_LARGE past the route's limit; whoever consumes it must then reject. */
  stream: Readable;
  /** As the client named it (untrusted: validate, never use as a path). */
  fileName: string;
  mimeType: string;
  /** The form's text fields sent before the file part (first value of each name): checkable before a byte is stored. */
  fieldsBefore: Readonly<Record<string, string>>;
  /**
   * Every text field of the form, before or after the file, once the whole body has been read.
   * Await it only after consuming `stream`: the rest of the body comes after the file.
   */
  fields(): Promise<Readonly<Record<string, string>>>;
}

export interface ReceiveFileOptions<T> {
  field: string;
  maxBytes: number;
  /** Consumes the file (usually a service method) and answers a result; a rejection fails the upload. */
  handle: (file: IncomingFile) => Promise<T>;
}

export class UploadError extends DomainError {
  static tooLarge(maxBytes: number): UploadError {
    return new UploadError('PAYLOAD_TOO_LARGE', `The file is larger than the ${maxBytes} bytes this route accepts.`, { kind: 'too_large' });
  }

  static missingFile(field: string): UploadError {
    return new UploadError('VALIDATION_FAILED', `The multipart field "${field}" with a file is required.`, {
      kind: 'validation',
      errors: [{ path: field, message: `${field} is required` }],
    });
  }

  static notMultipart(): UploadError {
    return new UploadError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data.', { kind: 'unsupported_media_type' });
  }

  static malformed(reason: string): UploadError {
    return new UploadError('MALFORMED_MULTIPART', `The multipart body could not be read: ${reason}`, { kind: 'bad_request' });
  }
}

/** Counts bytes on their way through and fails the stream as soon as a limit is passed. */
export class ByteLimit extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) done(UploadError.tooLarge(this.maxBytes));
    else done(null, chunk);
  }
}

/**
 * The upload template for controllers: streams the one file part of a multipart request into
 * `handle`, never holding it whole in memory, and answers what `handle` answered. Other parts are
 * drained and ignored; a second file part in `field` is ignored. A failure (not multipart, no file,
 * too large, malformed, or `handle` rejecting) rejects with a DomainError, after the rest of the
 * body is drained so the client reads the answer.
 *
 * ```ts
 * @Post('files/upload') @Consumes('multipart/form-data')
 * upload(@CurrentUser() me: Principal, @Req() req: Request) {
 *   return receiveFile(req, { field: 'file', maxBytes, handle: (file) => this.jobs.upload(me.id, file) });
 * }
 * ```
 */
export function receiveFile<T>(req: Request, options: ReceiveFileOptions<T>): Promise<T> {
  if (!req.is('multipart/form-data')) return Promise.reject(UploadError.notMultipart());
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // defParamCharset: browsers send `filename="naïve.jsonl"` as raw UTF-8, which busboy would
      // otherwise read as latin1 (mojibake); `filename*=UTF-8''...` is decoded either way.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 30 } });
    } catch (error) {
      reject(UploadError.malformed((error as Error).message));
      return;
    }
    let settled = false;
    let storing: Promise<void> | undefined;
    let part: ByteLimit | undefined;
    const fields: Record<string, string> = {};
    let parsed!: () => void;
    const parserDone = new Promise<void>((done) => (parsed = done));
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume(); // drain what the client still sends, so it reads our answer
      // A part whose request died would otherwise never end: `handle` would wait forever with its
      // sink (a temp file, an S3 multipart upload) open. Failing it makes every driver clean up.
      part?.destroy(error instanceof Error ? error : new Error(String(error)));
      reject(error);
    };

    parser.on('file', (name, file, info) => {
      if (name !== options.field || storing) {
        file.resume();
        return;
      }
      const limit = new ByteLimit(options.maxBytes);
      // `handle` may give up before it consumes the stream (a wrong file name): the error `fail`
      // then destroys it with must not become an uncaught 'error' event. A consumer hears of
      // errors through its own listener or pipeline.
      limit.on('error', () => undefined);
      part = limit;
      file.on('error', (error) => limit.destroy(error));
      file.pipe(limit);
      const incoming: IncomingFile = {
        stream: limit,
        fileName: toStorableText(info.filename ?? ''),
        mimeType: info.mimeType,
        fieldsBefore: { ...fields },
        fields: () => parserDone.then(() => ({ ...fields })),
      };
      storing = options.handle(incoming).then(
        (result) => {
          if (settled) return;
          settled = true;
          resolve(result);
        },
        (error) => {
          file.resume();
          fail(error);
        },
      );
    });
    parser.on('field', (name: string, value: string) => {
      if (!(name in fields)) fields[name] = value;
    });
    // `fields()` settles on every way the body can end, so no handler waits forever.
    parser.on('error', (error: Error) => {
      parsed();
      fail(UploadError.malformed(error.message));
    });
    parser.on('close', () => {
      parsed();
      if (!storing) fail(UploadError.missingFile(options.field));
    });
    req.on('aborted', () => {
      parsed();
      fail(UploadError.malformed('the client aborted the upload'));
    });
    req.on('close', () => {
      if (req.complete) return;
      parsed();
      fail(UploadError.malformed('the client aborted the upload'));
    });
    req.pipe(parser);
  });
}

/**
 * `receiveFile` for a raw body (`Content-Type: image/jpeg`, `application/octet-stream`…): the
 * request's bytes as the file, with the same limit and the same drain-then-answer on failure.
 * A declared Content-Length over the limit is refused before reading anything.
 */
export function receiveRawFile<T>(req: Request, options: Omit<ReceiveFileOptions<T>, 'field'> & { fileName?: string }): Promise<T> {
  const fail = (error: unknown) => {
    req.unpipe();
    req.resume(); // drain what the client still sends, so it reads our answer
    return Promise.reject(error);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) return fail(UploadError.tooLarge(options.maxBytes));
  const limit = new ByteLimit(options.maxBytes);
  req.on('error', (error) => limit.destroy(error));
  req.on('aborted', () => limit.destroy(UploadError.malformed('the client aborted the upload')));
  req.on('close', () => {
    if (!req.complete) limit.destroy(UploadError.malformed('the client aborted the upload'));
  });
  req.pipe(limit);
  const mimeType = String(req.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
  const noFields = Object.freeze({});
  return options
    .handle({ stream: limit, fileName: toStorableText(options.fileName ?? ''), mimeType, fieldsBefore: noFields, fields: () => Promise.resolve(noFields) })
    .catch(fail);
}
