import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/data-lifecycle.md): when a row's original was erased and its results expired. The partial indexes keep the retention sweeper's scans to the
 * rows it still has work on.
 */
export class DataLifecycle1765100000000 implements MigrationInterface {
  name = 'DataLifecycle1765100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
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
  }
}
