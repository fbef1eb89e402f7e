import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateJobs1763850000000 implements MigrationInterface {
  name = 'CreateJobs1763850000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "jobs" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "file_name" varchar(255) NOT NULL,
        "object_key" varchar(512) NOT NULL,
        "size_bytes" bigint NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'queued',
        "progress" smallint NOT NULL DEFAULT 0,
        "lines_read" integer NOT NULL DEFAULT 0,
        "bytes_read" bigint NOT NULL DEFAULT 0,
        "entries_ingested" integer NOT NULL DEFAULT 0,
        "lines_rejected" integer NOT NULL DEFAULT 0,
        "attempts" smallint NOT NULL DEFAULT 0,
        "error" text,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "completed_at" timestamptz,
        CONSTRAINT "jobs_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "jobs_status_check" CHECK ("status" IN ('queued', 'processing', 'completed', 'failed')),
        CONSTRAINT "jobs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    // The list route: one owner's jobs, newest first, keyset-paginated on (created_at, id);
    // created_at keeps milliseconds only, so a cursor carried as a JS Date is exact.
    await queryRunner.query(`CREATE INDEX "jobs_owner_id_created_at_idx" ON "jobs" ("owner_id", "created_at", "id")`);
    // The sweeper scans only unfinished jobs for a stale heartbeat.
    await queryRunner.query(
      `CREATE INDEX "jobs_unfinished_updated_at_idx" ON "jobs" ("updated_at") WHERE "status" IN ('queued', 'processing')`,
    );
    await queryRunner.query(`
      CREATE TABLE "log_entries" (
        "job_id" uuid NOT NULL,
        "line_no" integer NOT NULL,
        "timestamp" timestamptz NOT NULL,
        "level" varchar(8) NOT NULL,
        "service" text,
        "message" text NOT NULL,
        "attributes" jsonb NOT NULL,
        CONSTRAINT "log_entries_pkey" PRIMARY KEY ("job_id", "line_no")
      )`);
    // No foreign key to jobs on purpose: its per-row check would cost the bulk load a third of
    // its speed. Entries are written only by the ingest transaction that holds the job's row
    // lock, and deleted with the job in one transaction (JobsRepository.deleteUnlessProcessing).
    await queryRunner.query(`CREATE INDEX "log_entries_job_id_level_line_no_idx" ON "log_entries" ("job_id", "level", "line_no")`);
    // Full-text search on the message (?q=); queries must use the same expression to hit it.
    await queryRunner.query(
      `CREATE INDEX "log_entries_message_fts_idx" ON "log_entries" USING GIN (to_tsvector('english', "message"))`,
    );
    await queryRunner.query(`
      CREATE TABLE "log_rejections" (
        "job_id" uuid NOT NULL,
        "line_no" integer NOT NULL,
        "reason" text NOT NULL,
        CONSTRAINT "log_rejections_pkey" PRIMARY KEY ("job_id", "line_no"),
        CONSTRAINT "log_rejections_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs" ("id") ON DELETE CASCADE
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "log_rejections"`);
    await queryRunner.query(`DROP TABLE "log_entries"`);
    await queryRunner.query(`DROP TABLE "jobs"`);
  }
}
