import type { Readable } from 'node:stream';

import { DomainError } from '../errors/domain-error';

export interface ObjectStat {
  key: string;
  size: number;
  lastModified: Date;
  /** What `put` was given, where the driver keeps it; the local driver does not. */
  contentType?: string;
}

export interface PutOptions {
  /** Expected byte count; `put` rejects and stores nothing when the body does not match it. */
  size?: number;
  contentType?: string;
}

/**
 * Where the API and the workers keep blobs. Keys come from `objectKey()`, never from user input.
 * Abstract class rather than interface so it doubles as the Nest injection token.
 */
export abstract class ObjectStorage {
  /** Stores the whole body or nothing: a body that errors or is cut short leaves no object. */
  abstract put(key: string, body: Readable | Buffer, options?: PutOptions): Promise<{ size: number }>;
  /** `end` is inclusive, as in an HTTP Range; bytes past the end of the object are simply absent. */
  abstract get(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  abstract stat(key: string): Promise<ObjectStat | null>;
  abstract delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a plain string prefix, as in S3); returns how many. */
  abstract deletePrefix(prefix: string): Promise<number>;
  /** Objects whose key starts with `prefix`, in no promised order. */
  abstract list(prefix: string): AsyncIterable<ObjectStat>;
  /** A URL a client can download from directly, or null when the driver cannot serve one. */
  abstract presignedGetUrl(key: string, expirySeconds: number): Promise<string | null>;
  abstract ping(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`Object not found: ${key}`);
    this.name = new.target.name;
  }
}

/**
 * The object store could not be reached (refused, reset, timed out, DNS): the caller's input was
 * fine, so HTTP answers 503 STORAGE_UNAVAILABLE (problem+json) and a worker retries the message.
 */
export class StorageUnavailableError extends DomainError {
  constructor(override readonly cause: unknown) {
    super('STORAGE_UNAVAILABLE', 'Object storage is unavailable right now; try again shortly.', { kind: 'unavailable', retryable: true });
  }
}

// Socket and resolver failures: the store is away, as opposed to an answer it gave (403, NoSuchKey).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** `error` as a StorageUnavailableError when it is a network failure of the store, else unchanged. */
export function storageError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return new StorageUnavailableError(error);
  return error;
}

export class InvalidObjectKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shared by the drivers so both reject the same ranges instead of each backend's own way. */
export function assertValidRange(range: { start: number; end?: number } | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new RangeError(`Invalid byte range ${JSON.stringify(range)}`);
  }
}

/**
 * Shared by the drivers: a body that does not match its announced size is a truncated or padded
 * upload. Called mid-stream with a running count too, so an oversized body fails early.
 */
export function assertExpectedSize(key: string, expected: number | undefined, actual: number, final = true): void {
  if (expected !== undefined && (final ? actual !== expected : actual > expected)) {
    const got = final ? String(actual) : `more than ${expected}`;
    throw new Error(`Object ${key}: expected ${expected} bytes, the body had ${got}`);
  }
}
