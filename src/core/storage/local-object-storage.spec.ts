import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { describeObjectStorageContract, generatedStream, readAll } from '../../../test/utils/object-storage.contract';
import { LocalObjectStorage } from './local-object-storage';
import { ObjectNotFoundError } from './object-storage';
import { until } from '../../../test/utils/poll';

const makeTempDir = () => mkdtemp(join(tmpdir(), 'horizon-storage-'));

describeObjectStorageContract('LocalObjectStorage', async () => {
  const dir = await makeTempDir();
  return { storage: new LocalObjectStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('LocalObjectStorage', () => {
  let dir: string;
  let storage: LocalObjectStorage;

  beforeEach(async () => {
    dir = await makeTempDir();
    storage = new LocalObjectStorage(join(dir, 'objects'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const waitFor = (condition: () => Promise<boolean>) => until(condition, 'the condition holds', 5000);

  async function tempFileSizes(): Promise<number[]> {
    const tempDir = join(dir, 'objects', '.tmp');
    return Promise.all((await readdir(tempDir)).map(async (name) => (await stat(join(tempDir, name))).size));
  }

  it('creates its directory on construction', async () => {
    expect((await stat(join(dir, 'objects'))).isDirectory()).toBe(true);
  });

  it('keeps an object invisible until its whole body is written', async () => {
    const body = new PassThrough();
    const put = storage.put('jobs/1/input', body);
    body.write('first half, ');
    await waitFor(async () => (await tempFileSizes()).includes(12));

    expect(await storage.stat('jobs/1/input')).toBeNull();
    await expect(storage.get('jobs/1/input')).rejects.toBeInstanceOf(ObjectNotFoundError);

    body.end('second half');
    await expect(put).resolves.toEqual({ size: 23 });
    expect((await readAll(await storage.get('jobs/1/input'))).toString()).toBe('first half, second half');
  });

  it('removes the temp file when the body fails', async () => {
    const error = new Error('client went away');

    await expect(storage.put('jobs/1/input', generatedStream(1_000_000, { offset: 300_000, error }))).rejects.toBe(error);

    expect(await tempFileSizes()).toEqual([]);
    expect(await readdir(join(dir, 'objects'))).toEqual(['.tmp']);
  });

  it('removes directories that deletes leave empty', async () => {
    for (const key of ['jobs/1/a', 'jobs/1/sub/b', 'jobs/2/a']) await storage.put(key, Buffer.from('x'));

    await storage.deletePrefix('jobs/1/');
    expect(await readdir(join(dir, 'objects', 'jobs'))).toEqual(['2']);

    await storage.delete('jobs/2/a');
    expect(await readdir(join(dir, 'objects'))).toEqual(['.tmp']);
  });

  it('does not mistake a key prefix (a directory) for an object', async () => {
    await storage.put('jobs/1/input', Buffer.from('x'));

    expect(await storage.stat('jobs/1')).toBeNull();
    await expect(storage.get('jobs/1')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await storage.delete('jobs/1');
    expect(await storage.stat('jobs/1/input')).not.toBeNull();
  });

  it('has no presigned URLs: callers stream through the API instead', async () => {
    await storage.put('a/b', Buffer.from('x'));

    await expect(storage.presignedGetUrl('a/b', 60)).resolves.toBeNull();
  });

  it('fails ping once its directory is gone', async () => {
    await rm(join(dir, 'objects'), { recursive: true });

    await expect(storage.ping()).rejects.toThrow(/ENOENT/);
  });
});
