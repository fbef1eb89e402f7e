import { type DynamicModule, Module } from '@nestjs/common';

import { LocalObjectStorage } from './local-object-storage';
import { ObjectStorage } from './object-storage';
import { S3ObjectStorage } from './s3-object-storage';

export type StorageOptions =
  | { driver: 'local'; dir: string }
  | {
      driver: 's3';
      /** Full URL such as `http://127.0.0.1:9000`. */
      endpoint: string;
      accessKey: string;
      secretKey: string;
      bucket: string;
      region: string;
    };

/** Provides `ObjectStorage` to every module; imported once, by the root modules. */
@Module({})
export class StorageModule {
  static register(options: StorageOptions): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [{ provide: ObjectStorage, useFactory: () => createObjectStorage(options) }],
      exports: [ObjectStorage],
    };
  }
}

async function createObjectStorage(options: StorageOptions): Promise<ObjectStorage> {
  if (options.driver === 'local') return new LocalObjectStorage(options.dir);
  try {
    const storage = new S3ObjectStorage(options);
    await storage.init();
    return storage;
  } catch (err) {
    // Fail start-up here, naming the target, rather than on the first upload.
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Object storage unavailable: bucket "${options.bucket}" at ${options.endpoint}: ${reason}`, {
      cause: err,
    });
  }
}
