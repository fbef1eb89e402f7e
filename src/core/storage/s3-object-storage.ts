import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import { Logger } from '@nestjs/common';
import { Client, type BucketItem } from 'minio';

import { assertValidKey, assertValidPrefix } from './object-keys';
import {
  assertExpectedSize,
  assertValidRange,
  ObjectNotFoundError,
  ObjectStorage,
  storageError,
  type ObjectStat,
  type PutOptions,
} from './object-storage';

export interface S3ObjectStorageOptions {
  /** Full URL such as `http://127.0.0.1:9000`; the scheme picks TLS, a missing port its default. */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
  /** Bytes held in memory per upload part; at least 5 MiB (the S3 minimum). Default 16 MiB. */
  partSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
const MAX_PARTS = 10_000;
const MAX_DELETE_BATCH = 1000;

interface MultipartUpload {
  key: string;
  uploadId: string;
  parts: { part: number; etag: string }[];
}

/** Objects in an S3-compatible bucket (MinIO, AWS S3, s3rver in tests). */
export class S3ObjectStorage extends ObjectStorage {
  private readonly logger = new Logger(S3ObjectStorage.name);
  private readonly client: Client;
  private readonly bucket: string;
  private readonly region: string;
  private readonly partSize: number;

  constructor(options: S3ObjectStorageOptions) {
    super();
    const url = parseEndpoint(options.endpoint);
    const useSSL = url.protocol === 'https:';
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      // Setting the region also spares minio a GetBucketLocation round trip before each first call.
      region: options.region,
    });
    this.bucket = options.bucket;
    this.region = options.region;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new RangeError(`partSize must be an integer of at least ${MIN_PART_SIZE} bytes`);
    }
  }

  /** Creates the bucket when missing; StorageModule calls it once at start-up. */
  async init(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket, this.region);
    } catch (err) {
      // The API and the worker start together; the other one may have just created it.
      if (!(await this.client.bucketExists(this.bucket))) throw err;
    }
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions = {}): Promise<{ size: number }> {
    assertValidKey(key);
    const headers: Record<string, string> = options.contentType ? { 'Content-Type': options.contentType } : {};
    if (Buffer.isBuffer(body)) {
      assertExpectedSize(key, options.size, body.length);
      await this.client.putObject(this.bucket, key, body, body.length, headers).catch(rethrow);
      return { size: body.length };
    }
    return this.putStream(key, body, headers, options.size);
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    assertValidKey(key);
    assertValidRange(range);
    try {
      if (!range) return await this.client.getObject(this.bucket, key);
      // minio reads a length of 0 as "to the end".
      const length = range.end === undefined ? 0 : range.end - range.start + 1;
      return await this.client.getPartialObject(this.bucket, key, range.start, length);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      // S3 answers 416 for a range starting past the end; the contract is an empty body, as a file gives.
      if (s3ErrorCode(err) === 'InvalidRange') return Readable.from([]);
      throw storageError(err);
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertValidKey(key);
    try {
      const stats = await this.client.statObject(this.bucket, key);
      const contentType: unknown = stats.metaData['content-type'];
      return {
        key,
        size: stats.size,
        lastModified: stats.lastModified,
        ...(typeof contentType === 'string' && { contentType }),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw storageError(err);
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.removeObject(this.bucket, key).catch(rethrow);
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidPrefix(prefix);
    let deleted = 0;
    let batch: string[] = [];
    // Deleting behind the listing is safe: the continuation token resumes after the last key seen.
    for await (const { key } of this.list(prefix)) {
      batch.push(key);
      if (batch.length === MAX_DELETE_BATCH) {
        deleted += await this.removeBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) deleted += await this.removeBatch(batch);
    return deleted;
  }

  async *list(prefix: string): AsyncIterable<ObjectStat> {
    assertValidPrefix(prefix, { allowEmpty: true });
    const items = this.client.listObjectsV2(this.bucket, prefix, true) as AsyncIterable<BucketItem>;
    try {
      for await (const item of items) {
        if (item.name !== undefined) yield { key: item.name, size: item.size, lastModified: item.lastModified };
      }
    } catch (err) {
      throw storageError(err);
    }
  }

  async presignedGetUrl(key: string, expirySeconds: number): Promise<string | null> {
    assertValidKey(key);
    return this.client.presignedGetObject(this.bucket, key, expirySeconds);
  }

  async ping(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      throw new Error(`Bucket "${this.bucket}" does not exist`);
    }
  }

  /**
   * Multipart upload done here rather than by minio's putObject, whose stream path (as of minio 8)
   * never hears of an error on the source stream: the upload hangs and the error goes uncaught. It
   * also resumes any stale upload of the same key (via ListMultipartUploads) and, for an unknown
   * size, buffers parts of ~550 MiB. Here one part of `partSize` is held at a time, a body smaller
   * than a part goes up in a single PUT, and any failure aborts the upload.
   */
  private async putStream(
    key: string,
    body: Readable,
    headers: Record<string, string>,
    expectedSize: number | undefined,
  ): Promise<{ size: number }> {
    const partSize = Math.max(this.partSize, Math.ceil((expectedSize ?? 0) / MAX_PARTS));
    let upload: MultipartUpload | undefined;
    let chunks: Buffer[] = [];
    let buffered = 0;
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer | string>) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        size += bytes.length;
        assertExpectedSize(key, expectedSize, size, false);
        chunks.push(bytes);
        buffered += bytes.length;
        if (buffered >= partSize) {
          upload ??= await this.startUpload(key, headers);
          await this.uploadPart(upload, Buffer.concat(chunks));
          chunks = [];
          buffered = 0;
        }
      }
      assertExpectedSize(key, expectedSize, size);
      const rest = Buffer.concat(chunks);
      if (!upload) {
        await this.client.putObject(this.bucket, key, rest, rest.length, headers).catch(rethrow);
      } else {
        if (rest.length > 0) await this.uploadPart(upload, rest);
        await this.client.completeMultipartUpload(this.bucket, key, upload.uploadId, upload.parts).catch(rethrow);
      }
      return { size };
    } catch (err) {
      if (upload) await this.abortUpload(upload);
      throw err;
    }
  }

  private async startUpload(key: string, headers: Record<string, string>): Promise<MultipartUpload> {
    const uploadId = await this.client.initiateNewMultipartUpload(this.bucket, key, headers).catch(rethrow);
    return { key, uploadId, parts: [] };
  }

  private async uploadPart(upload: MultipartUpload, data: Buffer): Promise<void> {
    const partNumber = upload.parts.length + 1;
    if (partNumber > MAX_PARTS) {
      throw new Error(`Object ${upload.key} needs more than ${MAX_PARTS} parts; pass its size to put()`);
    }
    const { etag } = await this.client.uploadPart(
      {
        bucketName: this.bucket,
        objectName: upload.key,
        uploadID: upload.uploadId,
        partNumber,
        headers: { 'Content-MD5': createHash('md5').update(data).digest('base64') },
      },
      data,
    ).catch(rethrow);
    upload.parts.push({ part: partNumber, etag });
  }

  private async abortUpload(upload: MultipartUpload): Promise<void> {
    try {
      await this.client.abortMultipartUpload(this.bucket, upload.key, upload.uploadId);
    } catch (err) {
      // The parts stay invisible but take space until a lifecycle rule
      // (AbortIncompleteMultipartUpload) sweeps them; the caller still gets the original error.
      this.logger.warn(`Could not abort multipart upload ${upload.uploadId} of ${upload.key}: ${errorMessage(err)}`);
    }
  }

  private async removeBatch(keys: string[]): Promise<number> {
    // minio resolves with the per-key failures only (quiet mode), so anything returned is an error.
    const failures = await this.client.removeObjects(this.bucket, keys).catch(rethrow);
    if (failures.length > 0) {
      throw new Error(`Could not delete ${failures.length} of ${keys.length} objects: ${JSON.stringify(failures[0])}`);
    }
    return keys.length;
  }
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`S3 endpoint must be a URL such as http://127.0.0.1:9000, got "${endpoint}"`);
  }
  // minio addresses buckets from the host root and takes credentials separately.
  if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.username) {
    throw new TypeError(`S3 endpoint must be a bare http(s)://host[:port] URL, got "${url.origin}${url.pathname}"`);
  }
  return url;
}

function s3ErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// NoSuchKey comes with an XML body; a HEAD (statObject) has none, so minio reports NotFound.
function isNotFound(err: unknown): boolean {
  const code = s3ErrorCode(err);
  return code === 'NoSuchKey' || code === 'NotFound';
}

/** Client calls only: an error of the body stream (a client that hung up) is not the store's. */
function rethrow(err: unknown): never {
  throw storageError(err);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
