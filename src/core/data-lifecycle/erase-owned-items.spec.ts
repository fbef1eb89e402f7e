import type { ObjectStorage } from '../storage/object-storage';
import { eraseOwnedItems } from './erase-owned-items';

describe('eraseOwnedItems', () => {
  it('erases objects before rows, batch by batch, and sweeps each prefix again after the rows', async () => {
    const log: string[] = [];
    let rows = ['a', 'b', 'c'];
    const storage = { deletePrefix: jest.fn(async (p: string) => void log.push(`objects ${p}`)) } as unknown as ObjectStorage;

    const erased = await eraseOwnedItems(
      storage,
      'u1',
      {
        listIds: async (_owner, limit) => rows.slice(0, limit),
        prefixOf: (id) => `items/${id}/`,
        deleteRows: async (_owner, ids) => {
          log.push(`rows ${ids.join(',')}`);
          rows = rows.filter((r) => !ids.includes(r));
        },
      },
      2,
    );

    expect(erased).toBe(3);
    expect(log).toEqual([
      'objects items/a/',
      'objects items/b/',
      'rows a,b',
      'objects items/a/',
      'objects items/b/',
      'objects items/c/',
      'rows c',
      'objects items/c/',
    ]);
  });

  it('leaves the rows when storage fails, so a resumed erasure finds them again', async () => {
    const deleteRows = jest.fn();
    const storage = { deletePrefix: jest.fn().mockRejectedValue(new Error('S3 down')) } as unknown as ObjectStorage;

    await expect(eraseOwnedItems(storage, 'u1', { listIds: async () => ['a'], prefixOf: (id) => `items/${id}/`, deleteRows })).rejects.toThrow('S3 down');
    expect(deleteRows).not.toHaveBeenCalled();
  });
});
