import { IsUUID } from 'class-validator';

/** `transcriptions.transcribe`: the transcription to run; everything else is read from its row. */
export class TranscriptionTranscribeMessage {
  @IsUUID()
  transcription_id: string;
}
