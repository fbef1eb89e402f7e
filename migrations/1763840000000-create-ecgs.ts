import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateEcgs1763840000000 implements MigrationInterface {
  name = 'CreateEcgs1763840000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ecgs" (
        "pk" uuid NOT NULL DEFAULT gen_random_uuid(),
        "owner_id" uuid NOT NULL,
        "id" varchar(64) NOT NULL,
        "date" timestamptz NOT NULL,
        "sampling_rate_hz" double precision,
        "status" varchar(16) NOT NULL DEFAULT 'queued',
        "heart_rate_bpm" double precision,
        "error" text,
        "republish_count" smallint NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "processed_at" timestamptz,
        CONSTRAINT "ecgs_pkey" PRIMARY KEY ("pk"),
        CONSTRAINT "ecgs_owner_id_id_key" UNIQUE ("owner_id", "id"),
        CONSTRAINT "ecgs_status_check" CHECK ("status" IN ('queued', 'processing', 'completed', 'failed')),
        CONSTRAINT "ecgs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    // The list route: one owner's ECGs, newest first, keyset-paginated on (created_at, pk).
    await queryRunner.query(`CREATE INDEX "ecgs_owner_id_created_at_idx" ON "ecgs" ("owner_id", "created_at", "pk")`);
    // The sweeper looks for unfinished ECGs that have not moved for a while; finished ones are the bulk.
    await queryRunner.query(
      `CREATE INDEX "ecgs_unfinished_updated_at_idx" ON "ecgs" ("updated_at") WHERE "status" IN ('queued', 'processing')`,
    );
    await queryRunner.query(`
      CREATE TABLE "ecg_leads" (
        "ecg_pk" uuid NOT NULL,
        "position" smallint NOT NULL,
        "name" varchar(3) NOT NULL,
        "number_of_samples" integer NOT NULL,
        "signal" bytea NOT NULL,
        "insights" jsonb,
        CONSTRAINT "ecg_leads_pkey" PRIMARY KEY ("ecg_pk", "position"),
        CONSTRAINT "ecg_leads_ecg_pk_name_key" UNIQUE ("ecg_pk", "name"),
        CONSTRAINT "ecg_leads_ecg_pk_fkey" FOREIGN KEY ("ecg_pk") REFERENCES "ecgs" ("pk") ON DELETE CASCADE
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ecg_leads"`);
    await queryRunner.query(`DROP TABLE "ecgs"`);
  }
}
