import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';

export interface ErasureRef {
  userId: string;
  requestId: string | null;
}

const FOREIGN_KEY_VIOLATION = '23503';

/** The `user_erasures` rows, and the user row itself, which an erasure deletes last. */
@Injectable()
export class UserErasuresRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records that the user is to be erased; asking twice keeps the first request (idempotent).
   * Answers false when there is no such user (nothing to erase).
   */
  async request(userId: string, requestId: string | null): Promise<boolean> {
    try {
      await this.dataSource.query(
        `INSERT INTO user_erasures (user_id, request_id) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET updated_at = now()`,
        [userId, requestId],
      );
      return true;
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === FOREIGN_KEY_VIOLATION) return false;
      throw error;
    }
  }

  async find(userId: string): Promise<ErasureRef | null> {
    const rows: { user_id: string; request_id: string | null }[] = await this.dataSource.query(
      `SELECT user_id, request_id FROM user_erasures WHERE user_id = $1`,
      [userId],
    );
    return rows.length > 0 ? { userId: rows[0].user_id, requestId: rows[0].request_id } : null;
  }

  /** The worker's heartbeat between features, so the sweeper leaves a long erasure to its worker. */
  async touch(userId: string): Promise<void> {
    await this.dataSource.query(`UPDATE user_erasures SET updated_at = now() WHERE user_id = $1`, [userId]);
  }

  /**
   * The last step: the user row goes, and with it (ON DELETE CASCADE) the erasure row and whatever
   * a feature still held. Answers false when it was already gone (a duplicate delivery).
   */
  async deleteUser(userId: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(`DELETE FROM users WHERE id = $1`, [userId]);
    return affected > 0;
  }

  /**
   * Claims erasures whose worker went quiet for `staleAfterMs` (doubled per earlier re-publication,
   * capped at 64×), bumping them so that concurrent sweepers never claim the same row in a round.
   */
  async claimStale(staleAfterMs: number, limit: number): Promise<ErasureRef[]> {
    const [rows]: [{ user_id: string; request_id: string | null }[], number] = await this.dataSource.query(
      `UPDATE user_erasures SET updated_at = now(), republish_count = least(republish_count + 1, 32000)
       WHERE user_id IN (
         SELECT user_id FROM user_erasures
         WHERE updated_at < now() - make_interval(secs => $1::double precision / 1000 * power(2, least(republish_count, 6)))
         ORDER BY updated_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING user_id, request_id`,
      [staleAfterMs, limit],
    );
    return rows.map((r) => ({ userId: r.user_id, requestId: r.request_id }));
  }
}
