import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../core/http/pagination';
import { NARROWBAND_WARNING } from '../audio/audio-converter';
import { StoredSegment, StoredWord, TRANSCRIPTION_STATUSES, TranscriptionEntity, type TranscriptionStatus } from '../entities/transcription.entity';

export class TranscriptionLinksDto {
  @ApiProperty() self: string;
}

export class TranscriptionAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
  @ApiProperty({ type: TranscriptionLinksDto }) links: TranscriptionLinksDto;
}

export class TranscriptWordDto {
  @ApiProperty({ example: 'fox' }) word: string;
  @ApiProperty({ description: 'Seconds from the start of the audio' }) start_s: number;
  @ApiProperty({ description: 'Seconds from the start of the audio' }) end_s: number;
  @ApiProperty({ minimum: 0, maximum: 1, description: "The engine's posterior probability that it heard this word" }) confidence: number;
}

export class TranscriptSegmentDto {
  @ApiProperty({ description: 'Seconds from the start of the audio' }) start_s: number;
  @ApiProperty({ description: 'Seconds from the start of the audio' }) end_s: number;
  @ApiProperty() text: string;
  @ApiProperty({ type: [TranscriptWordDto], description: "The segment's words in order, each timed with its confidence" })
  words: TranscriptWordDto[];
}

export class TranscriptionResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TRANSCRIPTION_STATUSES }) status: TranscriptionStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty() file_name: string;
  @ApiProperty({ example: 'en' }) language: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Audio length in seconds, once probed' }) duration_s: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The whole transcript, once completed' }) text: string | null;
  @ApiProperty({ type: [TranscriptSegmentDto], description: 'Timed utterances in order; empty until completed' })
  segments: TranscriptSegmentDto[];
  @ApiProperty({
    type: [String],
    description: 'What lowers the accuracy of this transcript, found in the audio; empty when nothing does',
    example: [NARROWBAND_WARNING],
  })
  warnings: string[];
  @ApiProperty({ nullable: true, type: String, example: 'pocketsphinx' }) engine: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the transcription failed' }) error: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completed_at: string | null;
  @ApiProperty({ description: 'True once RETENTION_DAYS erased its transcript (`text` null, `segments` empty) and audio; the rest of the row stays' }) expired: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expired_at: string | null;
  @ApiProperty({ type: TranscriptionLinksDto }) links: TranscriptionLinksDto;
}

/** A list or search item: everything but the (possibly long) text and segments. */
export class TranscriptionListItemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TRANSCRIPTION_STATUSES }) status: TranscriptionStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty() file_name: string;
  @ApiProperty() language: string;
  @ApiProperty({ nullable: true, type: Number }) duration_s: number | null;
  @ApiProperty({ nullable: true, type: String }) engine: string | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completed_at: string | null;
  @ApiPropertyOptional({ description: 'With `q` only: the relevance (ts_rank_cd); hits come best first' }) rank?: number;
  @ApiPropertyOptional({
    description: 'With `q` only: the best passages of the transcript, matched words between `**` and `**`, passages joined by ` … `',
    example: 'the quick brown **fox** jumped over the lazy dog',
  })
  snippet?: string;
  @ApiProperty({ type: TranscriptionLinksDto }) links: TranscriptionLinksDto;
}

export class TranscriptionPageDto {
  @ApiProperty({ type: [TranscriptionListItemDto] }) items: TranscriptionListItemDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export class TranscriptionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Full-text search over your transcripts (web search syntax: words are stemmed and all required, "quoted phrase", `or`, `-word`). ' +
      'Hits come ranked, each with a `snippet`. An empty or blank `q` is refused (422); a `q` of stop words only finds nothing.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;
}

export function transcriptionLinks(id: string): TranscriptionLinksDto {
  return { self: `/api/v1/transcriptions/${id}` };
}

export function toTranscriptionAccepted(t: TranscriptionEntity): TranscriptionAcceptedDto {
  return { id: t.id, status: 'queued', links: transcriptionLinks(t.id) };
}

export function toTranscriptionResponse(t: TranscriptionEntity): TranscriptionResponseDto {
  return {
    id: t.id,
    status: t.status,
    progress: t.progress,
    file_name: t.fileName,
    language: t.language,
    duration_s: t.durationS,
    text: t.text,
    segments: withWords(t.segments ?? [], t.words ?? []),
    warnings: t.warnings ?? [],
    engine: t.engine,
    error: t.error,
    created_at: t.createdAt.toISOString(),
    completed_at: t.completedAt?.toISOString() ?? null,
    expired: t.expiredAt !== null,
    expired_at: t.expiredAt?.toISOString() ?? null,
    links: transcriptionLinks(t.id),
  };
}

/**
 * Words are stored once, beside the segments; each segment answers the ones within its time span
 * (the engine's segments are cut from its timed words, so every word falls in exactly one).
 */
function withWords(segments: StoredSegment[], words: StoredWord[]): TranscriptSegmentDto[] {
  const slack = 0.001; // times are rounded to the millisecond
  let next = 0;
  return segments.map((segment) => {
    const own: TranscriptWordDto[] = [];
    while (next < words.length && words[next].start_s < segment.start_s - slack) next++; // outside every segment
    while (next < words.length && words[next].end_s <= segment.end_s + slack) own.push(words[next++]);
    return { ...segment, words: own };
  });
}

export function toTranscriptionListItem(t: TranscriptionEntity, hit?: { rank: number; snippet: string }): TranscriptionListItemDto {
  return {
    id: t.id,
    status: t.status,
    progress: t.progress,
    file_name: t.fileName,
    language: t.language,
    duration_s: t.durationS,
    engine: t.engine,
    error: t.error,
    created_at: t.createdAt.toISOString(),
    completed_at: t.completedAt?.toISOString() ?? null,
    ...(hit ? { rank: hit.rank, snippet: hit.snippet } : {}),
    links: transcriptionLinks(t.id),
  };
}
