import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user erasures under way (docs/data-lifecycle.md). Core's own table, apart from the features'
 * retention columns, so any composition of features (a toy one included) can run the erasure worker.
 */
export class CreateUserErasures1765000000000 implements MigrationInterface {
  name = 'CreateUserErasures1765000000000';

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
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_erasures"`);
  }
}
