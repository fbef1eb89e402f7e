import { randomUUID } from 'node:crypto';
import { constants, createWriteStream, mkdirSync, type Dir } from 'node:fs';
import { access, lstat, mkdir, open, opendir, rename, rm, rmdir, stat as statPath, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { assertValidKey, assertValidPrefix } from './object-keys';
import {
  assertExpectedSize,
  assertValidRange,
  ObjectNotFoundError,
  ObjectStorage,
  type ObjectStat,
  type PutOptions,
} from './object-storage';

// Uploads are written here first. It sits under the root so the final rename() never crosses a
// filesystem and stays atomic, and no key can start with a dot, so it is never listed or hit.
const TEMP_DIR = '.tmp';

/** Objects as plain files under one directory: the embedded default for development and tests. */
export class LocalObjectStorage extends ObjectStorage {
  private readonly root: string;
  private readonly tempDir: string;

  constructor(dir: string) {
    super();
    this.root = resolve(dir);
    this.tempDir = join(this.root, TEMP_DIR);
    mkdirSync(this.tempDir, { recursive: true });
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions = {}): Promise<{ size: number }> {
    assertValidKey(key);
    const temp = join(this.tempDir, `${randomUUID()}.part`);
    try {
      // flush: fsync before close, or a crash soon after the rename can leave an empty object.
      const sink = createWriteStream(temp, { flags: 'wx', flush: true });
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, sink);
      assertExpectedSize(key, options.size, sink.bytesWritten);
      await this.moveIntoPlace(temp, this.pathOf(key));
      return { size: sink.bytesWritten };
    } catch (err) {
      // The upload's own error is the one worth reporting, not a failed clean-up.
      await rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    assertValidKey(key);
    assertValidRange(range);
    const handle = await this.openObject(key);
    return handle.createReadStream(range ? { start: range.start, end: range.end ?? Infinity } : {});
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertValidKey(key);
    try {
      const stats = await statPath(this.pathOf(key));
      return stats.isFile() ? { key, size: stats.size, lastModified: stats.mtime } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    if (await this.unlinkObject(key)) await this.pruneEmptyDirs(dirname(this.pathOf(key)));
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidPrefix(prefix);
    const dirs = new Set<string>();
    let deleted = 0;
    for await (const { key } of this.list(prefix)) {
      if (await this.unlinkObject(key)) {
        deleted++;
        dirs.add(dirname(this.pathOf(key)));
      }
    }
    for (const dir of dirs) await this.pruneEmptyDirs(dir);
    return deleted;
  }

  async *list(prefix: string): AsyncIterable<ObjectStat> {
    assertValidPrefix(prefix, { allowEmpty: true });
    // Start from the last whole directory in the prefix; the rest is matched as a string, as S3 does.
    yield* this.walk(prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix);
  }

  async presignedGetUrl(key: string, _expirySeconds: number): Promise<string | null> {
    assertValidKey(key);
    return null;
  }

  async ping(): Promise<void> {
    await access(this.tempDir, constants.W_OK);
  }

  private pathOf(key: string): string {
    return join(this.root, key);
  }

  private async openObject(key: string): Promise<FileHandle> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (err) {
      throw isMissing(err) ? new ObjectNotFoundError(key) : err;
    }
    try {
      // open() succeeds on a directory, which here is a key prefix, not an object.
      if ((await handle.stat()).isFile()) return handle;
      throw new ObjectNotFoundError(key);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  private async moveIntoPlace(temp: string, target: string): Promise<void> {
    // A concurrent delete may prune the parent directory between mkdir() and rename().
    for (let attempt = 1; ; attempt++) {
      await mkdir(dirname(target), { recursive: true });
      try {
        return await rename(temp, target);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT' || attempt === 3) throw err;
      }
    }
  }

  private async unlinkObject(key: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(key));
      return true;
    } catch (err) {
      if (isMissing(err) || errorCode(err) === 'EISDIR') return false;
      throw err;
    }
  }

  private async pruneEmptyDirs(from: string): Promise<void> {
    for (let dir = from; dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        // Not empty, or already gone: housekeeping stops here and the delete still succeeded.
        return;
      }
    }
  }

  private async *walk(dirKey: string, prefix: string): AsyncGenerator<ObjectStat> {
    let dir: Dir;
    try {
      dir = await opendir(join(this.root, dirKey));
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for await (const entry of dir) {
      const key = dirKey + entry.name;
      if (!key.startsWith(prefix) || (dirKey === '' && entry.name === TEMP_DIR)) continue;
      if (entry.isDirectory()) {
        yield* this.walk(`${key}/`, prefix);
      } else if (entry.isFile()) {
        const stats = await lstat(this.pathOf(key)).catch((err: unknown) => {
          if (isMissing(err)) return null; // deleted while we were listing
          throw err;
        });
        if (stats) yield { key, size: stats.size, lastModified: stats.mtime };
      }
    }
  }
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

// ENOTDIR: a parent segment of the key is itself an object (file), so this key cannot exist.
function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
