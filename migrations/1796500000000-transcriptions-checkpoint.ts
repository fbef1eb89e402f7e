import { MigrationInterface, QueryRunner } from 'typeorm';

/** The segments a transcription has finished, so a redelivered one resumes after them (audio-segments.ts). */
export class TranscriptionsCheckpoint1796500000000 implements MigrationInterface {
  name = 'TranscriptionsCheckpoint1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "transcriptions" ADD "checkpoint" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "transcriptions" DROP COLUMN "checkpoint"`);
  }
}
