import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure and retention (docs/data-lifecycle.md): the erasures under way, and when a row's original
 * was erased and its results expired. The partial indexes keep the retention sweeper's scans to the
 * rows it still has work on.
 */
export class DataLifecycle1765100000000 implements MigrationInterface {
  name = 'DataLifecycle1765100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Deleted with the user row (the last step of an erasure), so nothing of the account stays.
    await queryRunner.query(`
      CREATE TABLE "user_erasures" (
        "user_id" uuid NOT NULL,
        "request_id" varchar(128),
        "republish_count" smallint NOT NULL DEFAULT 0,
        "requested_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "user_erasures_pkey" PRIMARY KEY ("user_id"),
        CONSTRAINT "user_erasures_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "user_erasures_updated_at_idx" ON "user_erasures" ("updated_at")`);

    await queryRunner.query(`ALTER TABLE "jobs" ADD "expired_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "tasks" ADD "original_erased_at" timestamptz, ADD "expired_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "transcriptions" ADD "original_erased_at" timestamptz, ADD "expired_at" timestamptz`);

    await queryRunner.query(
      `CREATE INDEX "jobs_unexpired_completed_at_idx" ON "jobs" ("completed_at") WHERE "expired_at" IS NULL AND "status" IN ('completed', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_unexpired_finished_at_idx" ON "tasks" ("processing_finished_at") WHERE "expired_at" IS NULL AND "status" IN ('processed', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_original_kept_idx" ON "tasks" ("processing_finished_at") WHERE "original_erased_at" IS NULL AND "status" IN ('processed', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX "transcriptions_unexpired_completed_at_idx" ON "transcriptions" ("completed_at") WHERE "expired_at" IS NULL AND "status" IN ('completed', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX "transcriptions_original_kept_idx" ON "transcriptions" ("completed_at") WHERE "original_erased_at" IS NULL AND "status" IN ('completed', 'failed')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "transcriptions_original_kept_idx"`);
    await queryRunner.query(`DROP INDEX "transcriptions_unexpired_completed_at_idx"`);
    await queryRunner.query(`DROP INDEX "tasks_original_kept_idx"`);
    await queryRunner.query(`DROP INDEX "tasks_unexpired_finished_at_idx"`);
    await queryRunner.query(`DROP INDEX "jobs_unexpired_completed_at_idx"`);
    await queryRunner.query(`ALTER TABLE "transcriptions" DROP COLUMN "expired_at", DROP COLUMN "original_erased_at"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "expired_at", DROP COLUMN "original_erased_at"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "expired_at"`);
    await queryRunner.query(`DROP TABLE "user_erasures"`);
  }
}
