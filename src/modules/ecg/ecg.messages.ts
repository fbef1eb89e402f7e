import { IsUUID } from 'class-validator';

/**
 * `ecg.analyse`: analyse one stored ECG. Only the surrogate key travels: the worker reads the
 * signals from the database, so a message stays tiny and a redelivery sees the row's current status.
 */
export class EcgAnalyseMessage {
  @IsUUID()
  ecg_pk: string;
}
