import { In, type ObjectLiteral, type Repository } from 'typeorm';

// Shared queries behind every workload's store (core/workload/workload.ts, WorkloadStore). The
// table needs `id`, `status`, `updated_at` and, for raiseProgress, `progress` columns; "open"
// means `queued` or `processing`, the states a worker may still move.

const OPEN = ['queued', 'processing'];

/**
 * Rows of `repository`'s table still open whose heartbeat (`updated_at`) is older than
 * `staleAfterMs`, claimed by bumping it, so concurrent sweepers (one per process) never pick the
 * same row in one round.
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

/**
 * Applies `changes` (plus `updated_at`) to the row only while it is open: a row finished,
 * deleted or cancelled meanwhile stays as it is. True when the row was changed.
 */
export async function updateOpenRow<T extends ObjectLiteral>(
  repository: Repository<T>,
  id: string,
  changes: Record<string, unknown>,
  statuses: readonly string[] = OPEN,
): Promise<boolean> {
  const { raw } = await repository
    .createQueryBuilder()
    .update()
    .set({ ...changes, updatedAt: () => 'now()' } as never)
    .where('id = :id AND status IN (:...statuses)', { id, statuses })
    .returning('id')
    .execute();
  return (raw as unknown[]).length > 0;
}

/**
 * Raises a processing row's progress to `progress` (never lowers it: a redelivered message that
 * starts the work over keeps the percentage a client has seen) and heart-beats it. Answers the
 * progress now stored, or null when the row is no longer processing (finished, deleted, cancelled).
 */
export async function raiseProgress<T extends ObjectLiteral>(repository: Repository<T>, id: string, progress: number): Promise<number | null> {
  const { raw } = await repository
    .createQueryBuilder()
    .update()
    .set({ progress: () => 'GREATEST(progress, :progress)', updatedAt: () => 'now()' } as never)
    .setParameter('progress', Math.floor(progress))
    .where("id = :id AND status = 'processing'", { id })
    .returning('progress')
    .execute();
  const rows = raw as { progress: number }[];
  return rows.length ? Number(rows[0].progress) : null;
}

/** True while the row is there and open (not deleted, finished or cancelled): the worker's cancellation check. */
export async function isRowOpen<T extends ObjectLiteral>(repository: Repository<T>, id: string): Promise<boolean> {
  return repository.existsBy({ id, status: In(OPEN) } as never);
}
