import { MigrationInterface, QueryRunner } from 'typeorm';

// A copy, not an import: a migration must keep meaning what it meant when it landed.
const SEARCH_VECTOR_EXPRESSION = `to_tsvector(CASE WHEN "language" = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END, coalesce("text", ''))`;

export class CreateTranscriptions1764200000000 implements MigrationInterface {
  name = 'CreateTranscriptions1764200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "transcriptions" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "file_name" varchar(255) NOT NULL,
        "object_key" varchar(512) NOT NULL,
        "size_bytes" bigint NOT NULL,
        "format" varchar(8) NOT NULL,
        "language" varchar(16) NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'queued',
        "progress" smallint NOT NULL DEFAULT 0,
        "duration_s" double precision,
        "text" text,
        "segments" jsonb,
        "words" jsonb,
        "engine" varchar(64),
        "attempts" smallint NOT NULL DEFAULT 0,
        "error" text,
        "created_at" timestamptz(3) NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "completed_at" timestamptz,
        -- Stored, so search never re-parses the text; the configuration follows the language
        -- exactly as searchConfigFor() does (english stems, everything else is simple).
        "search_vector" tsvector GENERATED ALWAYS AS (${SEARCH_VECTOR_EXPRESSION}) STORED,
        CONSTRAINT "transcriptions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "transcriptions_status_check" CHECK ("status" IN ('queued', 'processing', 'completed', 'failed')),
        CONSTRAINT "transcriptions_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    // The list route: one owner's transcriptions, newest first, keyset-paginated on (created_at, id).
    await queryRunner.query(`CREATE INDEX "transcriptions_owner_id_created_at_idx" ON "transcriptions" ("owner_id", "created_at", "id")`);
    // The sweeper scans only unfinished rows for a stale heartbeat.
    await queryRunner.query(
      `CREATE INDEX "transcriptions_unfinished_updated_at_idx" ON "transcriptions" ("updated_at") WHERE "status" IN ('queued', 'processing')`,
    );
    await queryRunner.query(`CREATE INDEX "transcriptions_search_vector_idx" ON "transcriptions" USING GIN ("search_vector")`);
    // TypeORM reads a generated column's expression from its own metadata table when it diffs
    // the schema (`migration:generate`), and fails without it. Its own migrations would hard-code
    // the database name here; current_database() keeps this one portable.
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS "typeorm_metadata" ("type" varchar NOT NULL, "database" varchar, "schema" varchar, "table" varchar, "name" varchar, "value" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "typeorm_metadata" ("database", "schema", "table", "type", "name", "value")
       VALUES (current_database(), current_schema(), 'transcriptions', 'GENERATED_COLUMN', 'search_vector', $1)`,
      [SEARCH_VECTOR_EXPRESSION],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'transcriptions' AND "name" = 'search_vector' AND "schema" = current_schema()`,
    );
    await queryRunner.query(`DROP TABLE "transcriptions"`);
  }
}
