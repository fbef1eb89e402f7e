import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSeries1764000000000 implements MigrationInterface {
  name = 'CreateSeries1764000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "series" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "owner_id" uuid NOT NULL,
        "name" varchar(200),
        "unit" varchar(64),
        "count" integer NOT NULL,
        "start_at" timestamptz NOT NULL,
        "end_at" timestamptz NOT NULL,
        "sampling_rate_hz" double precision,
        "timestamps_f64" bytea,
        "values_f64" bytea NOT NULL,
        "metrics" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "series_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "series_timing_check" CHECK (("sampling_rate_hz" IS NULL) <> ("timestamps_f64" IS NULL)),
        CONSTRAINT "series_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    // Float64 samples barely compress and pglz would cost time on every store and read:
    // out-of-line, uncompressed TOAST storage.
    await queryRunner.query(`ALTER TABLE "series" ALTER COLUMN "timestamps_f64" SET STORAGE EXTERNAL`);
    await queryRunner.query(`ALTER TABLE "series" ALTER COLUMN "values_f64" SET STORAGE EXTERNAL`);
    // The list route: one owner's series, newest first, keyset-paginated on (created_at, id); also the count.
    await queryRunner.query(`CREATE INDEX "series_owner_id_created_at_idx" ON "series" ("owner_id", "created_at", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "series"`);
  }
}
