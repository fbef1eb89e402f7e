import { In, type ObjectLiteral, type Repository } from 'typeorm';

/**
 * Rows of `repository`'s table still in `queued` or `processing` whose heartbeat (`updated_at`) is
 * older than `staleAfterMs`, claimed by bumping it, so concurrent sweepers (one per process) never
 * pick the same row in one round. The table needs `id`, `status` and `updated_at` columns; it is
 * the one shape behind every feature's StaleWorkSweeper.
 */
export async function claimStaleRows<T extends ObjectLiteral>(repository: Repository<T>, staleAfterMs: number, limit: number): Promise<T[]> {
  const table = repository.metadata.tablePath;
  // For UPDATE ... RETURNING, query() answers [rows, affected].
  const [rows]: [{ id: string }[], number] = await repository.manager.query(
    `UPDATE ${table} SET updated_at = now()
      WHERE id IN (SELECT id FROM ${table}
                    WHERE status IN ('queued', 'processing') AND updated_at < now() - make_interval(secs => $1)
                    ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING id`,
    [staleAfterMs / 1000, limit],
  );
  return rows.length ? repository.findBy({ id: In(rows.map((r) => r.id)) } as never) : [];
}
