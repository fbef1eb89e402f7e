import { MigrationInterface, QueryRunner } from 'typeorm';

/** What the service could tell about the audio that lowers the transcript's accuracy (narrowband audio). */
export class TranscriptionsWarnings1796472000000 implements MigrationInterface {
  name = 'TranscriptionsWarnings1796472000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "transcriptions" ADD "warnings" jsonb NOT NULL DEFAULT '[]'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "transcriptions" DROP COLUMN "warnings"`);
  }
}
