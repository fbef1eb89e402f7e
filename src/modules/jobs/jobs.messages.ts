import { IsUUID } from 'class-validator';

/** `jobs.ingest`: the job to ingest; everything else is read from its row. */
export class JobIngestMessage {
  @IsUUID()
  job_id: string;
}
