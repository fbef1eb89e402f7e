import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ECG signals out-of-line and uncompressed, like the series' samples: pglz on every 20 kB lead
 * cost PostgreSQL 5-7 ms of CPU per 12-lead ECG (10-12 ms against 5 ms a submit, measured on
 * PostgreSQL 15), the largest share of the ECG pipeline's database time, for a 1.8× smaller
 * signal. lz4 would keep most of the saving at no cost, but not every PostgreSQL build has it
 * (the embedded one does not). Rows already stored keep their compressed form until rewritten.
 */
export class EcgSignalsUncompressed1796480000000 implements MigrationInterface {
  name = 'EcgSignalsUncompressed1796480000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ecg_leads" ALTER COLUMN "signal" SET STORAGE EXTERNAL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ecg_leads" ALTER COLUMN "signal" SET STORAGE EXTENDED`);
  }
}
