import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTasks1764100000000 implements MigrationInterface {
  name = 'CreateTasks1764100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "tasks" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "file_name" varchar(255) NOT NULL,
        "media_type" varchar(8) NOT NULL,
        "objects" varchar(16) array NOT NULL,
        "method" varchar(16) NOT NULL,
        "quality" smallint NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'new',
        "progress" smallint NOT NULL DEFAULT 0,
        "input_key" varchar(512),
        "input_content_type" varchar(64),
        "size_bytes" bigint,
        "result_key" varchar(512),
        "result_content_type" varchar(64),
        "result_size_bytes" bigint,
        "width" integer,
        "height" integer,
        "frame_count" integer,
        "duration_s" double precision,
        "engine" varchar(200),
        "engine_version" varchar(100),
        "error" text,
        "attempts" smallint NOT NULL DEFAULT 0,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "uploaded_at" timestamptz,
        "processing_started_at" timestamptz,
        "processing_finished_at" timestamptz,
        "processing_time_ms" integer,
        "deleted_at" timestamptz,
        CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "tasks_status_check" CHECK ("status" IN ('new', 'queued', 'processing', 'processed', 'failed', 'deleted')),
        CONSTRAINT "tasks_media_type_check" CHECK ("media_type" IN ('image', 'video')),
        CONSTRAINT "tasks_method_check" CHECK ("method" IN ('pixelate', 'blur', 'mask')),
        CONSTRAINT "tasks_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    // The list route: one owner's tasks, newest first, keyset-paginated on (created_at, id).
    await queryRunner.query(`CREATE INDEX "tasks_owner_id_created_at_idx" ON "tasks" ("owner_id", "created_at", "id")`);
    // The sweeper scans only unfinished tasks for a stale heartbeat.
    await queryRunner.query(
      `CREATE INDEX "tasks_unfinished_updated_at_idx" ON "tasks" ("updated_at") WHERE "status" IN ('queued', 'processing')`,
    );
    await queryRunner.query(`
      CREATE TABLE "task_object_counts" (
        "task_id" uuid NOT NULL,
        "object_type" varchar(16) NOT NULL,
        "count" integer NOT NULL,
        CONSTRAINT "task_object_counts_pkey" PRIMARY KEY ("task_id", "object_type"),
        CONSTRAINT "task_object_counts_count_check" CHECK ("count" >= 0),
        CONSTRAINT "task_object_counts_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks" ("id") ON DELETE CASCADE
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "task_object_counts"`);
    await queryRunner.query(`DROP TABLE "tasks"`);
  }
}
