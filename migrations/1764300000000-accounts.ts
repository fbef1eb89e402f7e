import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts: disabled users and last logins, one row per issued token (revocation), login throttling
 * shared by every gateway, and the append-only audit log of admin actions.
 */
export class Accounts1764300000000 implements MigrationInterface {
  name = 'Accounts1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "disabled" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "users" ADD "last_login_at" timestamptz`);
    // Listing users pages by username; the prefix search (?q=) uses the lower() expression index.
    await queryRunner.query(`CREATE INDEX "users_username_lower_pattern_idx" ON "users" (lower("username") text_pattern_ops)`);

    // Tokens issued before this migration carry no jti and have no row: they are refused (docs/auth.md).
    await queryRunner.query(`
      CREATE TABLE "access_tokens" (
        "jti" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "issued_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "revoked_at" timestamptz,
        CONSTRAINT "access_tokens_pkey" PRIMARY KEY ("jti"),
        CONSTRAINT "access_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "access_tokens_user_id_idx" ON "access_tokens" ("user_id")`);

    // Keys are "username:<lower name>" or "address:<ip>"; no FK, so an unknown username is throttled alike.
    await queryRunner.query(`
      CREATE TABLE "login_throttles" (
        "key" varchar(128) NOT NULL,
        "failures" integer NOT NULL,
        "last_failure_at" timestamptz NOT NULL,
        "blocked_until" timestamptz,
        CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("key")
      )`);

    // Actor and target are plain ids plus the username at the time: the log outlives the accounts.
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "seq" integer GENERATED ALWAYS AS IDENTITY NOT NULL,
        "at" timestamptz NOT NULL DEFAULT now(),
        "action" varchar(32) NOT NULL,
        "actor_id" uuid,
        "actor_username" varchar(64),
        "target_id" uuid,
        "target_username" varchar(64),
        "request_id" varchar(128),
        "details" jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "audit_events_seq_key" UNIQUE ("seq")
      )`);
    await queryRunner.query(`
      CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_no_update_or_delete" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_append_only"()`);
    await queryRunner.query(`DROP TABLE "login_throttles"`);
    await queryRunner.query(`DROP TABLE "access_tokens"`);
    await queryRunner.query(`DROP INDEX "users_username_lower_pattern_idx"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "last_login_at"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "disabled"`);
  }
}
