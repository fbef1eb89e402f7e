import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// s3rver ships no type definitions; this is the part of its API used here.
export interface S3rver {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  store: { deleteObject(bucket: string, key: string): Promise<unknown> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rverServer: new (options: Record<string, unknown>) => S3rver = require('s3rver');

/** s3rver's built-in account. */
export const S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER', region: 'us-east-1' };

/** The app's settings for the test S3 server at `endpoint`, in a bucket of the test's own. */
export function s3Settings(endpoint: string, bucket: string): Record<string, string> {
  return { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: S3_CREDENTIALS.accessKey, S3_SECRET_KEY: S3_CREDENTIALS.secretKey, S3_BUCKET: bucket };
}

/**
 * s3rver deletes the keys of one DeleteObjects request in parallel, and each delete then prunes
 * empty parent folders, so two keys in one folder race (ENOENT, HTTP 500) and only minio's single
 * retry hides it. S3 and MinIO have no such race, so the fix belongs here, not in the driver.
 */
export function serialiseDeletes({ store }: S3rver): void {
  const deleteObject = store.deleteObject.bind(store);
  let previous: Promise<unknown> = Promise.resolve();
  store.deleteObject = (bucket, key) => {
    const next = previous.catch(() => undefined).then(() => deleteObject(bucket, key));
    previous = next;
    return next;
  };
}

/** An S3 server in this process, on a free loopback port, keeping its files in a temporary folder. */
export async function startS3Server(): Promise<{ server: S3rver; endpoint: string; close(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'horizon-s3rver-'));
  const server = new S3rverServer({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [] });
  serialiseDeletes(server);
  const { port } = await server.run();
  return {
    server,
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
