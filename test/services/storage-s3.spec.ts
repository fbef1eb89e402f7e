import { createServer, type AddressInfo } from 'node:net';

import { Test } from '@nestjs/testing';

import { ObjectStorage, StorageUnavailableError } from '../../src/core/storage/object-storage';
import { S3ObjectStorage } from '../../src/core/storage/s3-object-storage';
import { StorageModule } from '../../src/core/storage/storage.module';
import { describeObjectStorageContract, generatedStream } from '../utils/object-storage.contract';
import { S3_CREDENTIALS, startS3Server } from '../utils/s3-server';
import { SERVICES } from '../utils/services-env';
import { createTestApp } from '../utils/test-app';

const credentials = S3_CREDENTIALS;

let s3: Awaited<ReturnType<typeof startS3Server>>;
let endpoint: string;
let buckets = 0;
const freshBucket = () => `horizon-test-${++buckets}`;

beforeAll(async () => {
  s3 = await startS3Server();
  endpoint = s3.endpoint;
});

afterAll(async () => {
  await s3?.close();
});

// 5 MiB parts (the S3 minimum) so the contract's multi-MB bodies go through multipart upload.
// s3rver does not implement AbortMultipartUpload, so failed uploads log a warning here; their
// parts never become an object either way, which is what the contract checks.
describeObjectStorageContract('S3ObjectStorage on s3rver', async () => {
  const storage = new S3ObjectStorage({ endpoint, ...credentials, bucket: freshBucket(), partSize: 5 * 1024 * 1024 });
  await storage.init();
  return { storage, cleanup: async () => undefined };
});

describe('S3ObjectStorage', () => {
  it('creates its bucket at start-up when missing, and starts fine when it exists', async () => {
    const options = { driver: 's3' as const, endpoint, ...credentials, bucket: freshBucket() };
    await expect(new S3ObjectStorage(options).ping()).rejects.toThrow(`Bucket "${options.bucket}" does not exist`);

    for (let start = 1; start <= 2; start++) {
      const app = await Test.createTestingModule({ imports: [StorageModule.register(options)] }).compile();
      const storage = app.get(ObjectStorage);
      expect(storage).toBeInstanceOf(S3ObjectStorage);
      await expect(storage.ping()).resolves.toBeUndefined();
      await app.close();
    }
  });

  it('fails start-up with a message naming the endpoint and bucket when S3 is unreachable', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const unreachable = `http://127.0.0.1:${closedPort}`;

    const compiling = Test.createTestingModule({
      imports: [StorageModule.register({ driver: 's3', endpoint: unreachable, ...credentials, bucket: 'uploads' })],
    }).compile();

    await expect(compiling).rejects.toThrow(`Object storage unavailable: bucket "uploads" at ${unreachable}: `);
  });

  it('serves a presigned URL that a plain HTTP client can download, with its content type', async () => {
    const storage = new S3ObjectStorage({ endpoint, ...credentials, bucket: freshBucket() });
    await storage.init();
    await storage.put('reports/1/summary.csv', Buffer.from('a,b\n1,2\n'), { contentType: 'text/csv' });

    const url = await storage.presignedGetUrl('reports/1/summary.csv', 60);
    const response = await fetch(url!);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(await response.text()).toBe('a,b\n1,2\n');
    expect((await storage.stat('reports/1/summary.csv'))?.contentType).toBe('text/csv');
  });

  it('keeps the content type of a multipart upload', async () => {
    const storage = new S3ObjectStorage({ endpoint, ...credentials, bucket: freshBucket(), partSize: 5 * 1024 * 1024 });
    await storage.init();

    await storage.put('series/1/raw', generatedStream(11 * 1024 * 1024), { contentType: 'application/octet-stream' });

    expect(await storage.stat('series/1/raw')).toMatchObject({ size: 11 * 1024 * 1024, contentType: 'application/octet-stream' });
  });

  it('rejects an endpoint that is not a bare http(s) URL', () => {
    const make = (url: string) => () => new S3ObjectStorage({ endpoint: url, ...credentials, bucket: 'b-u-c' });
    expect(make('127.0.0.1:9000')).toThrow(TypeError);
    expect(make('http://minio:9000/prefix')).toThrow(TypeError);
    expect(make('ftp://minio')).toThrow(TypeError);
  });
});

describe('object storage going away', () => {
  it('reports STORAGE_UNAVAILABLE (retryable) from every call once the S3 server is gone', async () => {
    const gone = await startS3Server();
    const storage = new S3ObjectStorage({ endpoint: gone.endpoint, ...credentials, bucket: 'uploads', partSize: 5 * 1024 * 1024 });
    await storage.init();
    await storage.put('a/one', Buffer.from('1'));
    await gone.close();

    const calls: [string, () => Promise<unknown>][] = [
      ['put a buffer', () => storage.put('a/two', Buffer.from('2'))],
      ['put a stream', () => storage.put('a/three', generatedStream(6 * 1024 * 1024))],
      ['get', () => storage.get('a/one')],
      ['stat', () => storage.stat('a/one')],
      ['delete', () => storage.delete('a/one')],
      ['deletePrefix', () => storage.deletePrefix('a/')],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(() => new Error(`${name} succeeded`), (e: unknown) => e);
      expect([name, error]).toEqual([name, expect.any(StorageUnavailableError)]);
      expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', kind: 'unavailable', retryable: true });
    }
  });

  it('answers an upload with 503 STORAGE_UNAVAILABLE problem+json, and leaves no job', async () => {
    const gone = await startS3Server();
    const t = await createTestApp(
      { S3_ENDPOINT: gone.endpoint, S3_ACCESS_KEY: credentials.accessKey, S3_SECRET_KEY: credentials.secretKey, S3_BUCKET: 'uploads' },
      { databaseBaseUrl: SERVICES.databaseUrl },
    );
    try {
      const user = await t.createUser();
      await gone.close();
      const res = await t
        .http()
        .post('/api/v1/files/upload')
        .set('authorization', `Bearer ${user.token}`)
        .attach('file', Buffer.from('{"timestamp":"2026-01-01T00:00:00Z","level":"INFO","message":"m"}\n'), 'a.jsonl');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'STORAGE_UNAVAILABLE' });
      const jobs = await t.http().get('/api/v1/jobs').set('authorization', `Bearer ${user.token}`).expect(200);
      expect(jobs.body.items).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
