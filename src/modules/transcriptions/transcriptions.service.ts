import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { IncomingFile } from '../../core/http/multipart-upload';
import { decodeCursor, encodeCursor, Page, toPage } from '../../core/http/pagination';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { objectKey } from '../../core/storage/object-keys';
import { ObjectStorage } from '../../core/storage/object-storage';
import { InjectWorkload } from '../../core/workload/workload';
import type { WorkloadLifecycle } from '../../core/workload/workload-lifecycle';
import { AudioSniffer } from './audio/audio-sniffer';
import { TranscriptionListItemDto, toTranscriptionListItem } from './dto/transcription.dto';
import { TranscriptionEntity } from './entities/transcription.entity';
import { SUPPORTED_LANGUAGES } from './search-config';
import { TranscriptionsError } from './transcriptions.errors';
import { TRANSCRIPTIONS_TRANSCRIBE } from './transcriptions.messages';
import { SearchCursor, TranscriptionsRepository } from './transcriptions.repository';
import { TRANSCRIPTIONS_WORKLOAD } from './transcriptions.workload';

@Injectable()
export class TranscriptionsService {
  private readonly logger = new Logger(TranscriptionsService.name);

  constructor(
    private readonly transcriptions: TranscriptionsRepository,
    private readonly storage: ObjectStorage,
    private readonly publisher: MessagePublisher,
    @InjectWorkload(TRANSCRIPTIONS_WORKLOAD) private readonly workload: WorkloadLifecycle<TranscriptionEntity>,
  ) {}

  /**
   * Streams the audio into object storage (never whole in memory), checking its magic bytes on
   * the way; only once it is stored and the form is valid is the row created and queued. Any
   * refusal deletes what was stored, so a 4xx leaves neither object nor row.
   */
  async upload(ownerId: string, file: IncomingFile, requestId?: string): Promise<TranscriptionEntity> {
    // A language sent before the file is checked before a byte is stored.
    if (file.fieldsBefore.language !== undefined) this.languageOf(file.fieldsBefore.language);
    const id = randomUUID();
    const key = objectKey('transcriptions', id, 'audio');
    let stored = true; // from here on a partial object may exist
    try {
      const sniffer = new AudioSniffer(() => TranscriptionsError.notAudio());
      file.stream.on('error', (error) => sniffer.destroy(error));
      const { size } = await this.storage.put(key, file.stream.pipe(sniffer), { contentType: 'application/octet-stream' });
      if (size === 0 || !sniffer.format) throw TranscriptionsError.emptyFile();
      const language = this.languageOf((await file.fields()).language);
      const transcription = await this.transcriptions.insertQueued({
        id,
        ownerId,
        fileName: file.fileName.slice(0, 255),
        objectKey: key,
        sizeBytes: size,
        format: sniffer.format,
        language,
      });
      stored = false; // the row owns the object now
      try {
        await this.publisher.publish(TRANSCRIPTIONS_TRANSCRIBE, { transcription_id: id }, { requestId });
      } catch (error) {
        // Stored and queued; the sweeper publishes it again shortly.
        this.logger.warn(`transcription ${id} stored but not published (${(error as Error).message}); the sweeper will retry`);
      }
      await this.workload.emit(transcription);
      return transcription;
    } finally {
      if (stored) await this.storage.delete(key).catch(() => undefined);
    }
  }

  /** The normalised language code (default `en`), or a 422 listing the supported ones. */
  private languageOf(field: string | undefined): string {
    const language = (field ?? '').trim().toLowerCase() || 'en';
    if (!(SUPPORTED_LANGUAGES as readonly string[]).includes(language)) throw TranscriptionsError.unsupportedLanguage(field ?? '', SUPPORTED_LANGUAGES);
    return language;
  }

  async getTranscription(ownerId: string, id: string): Promise<TranscriptionEntity> {
    const transcription = await this.workload.findOwned(ownerId, id);
    if (!transcription) throw TranscriptionsError.notFound(id);
    return transcription;
  }

  async listTranscriptions(ownerId: string, limit: number, cursor?: string): Promise<Page<TranscriptionListItemDto>> {
    const after = decodeCursor<{ created_at: string; id: string }>(cursor, { created_at: 'instant', id: 'uuid' });
    const rows = await this.transcriptions.listOwned(ownerId, limit + 1, after);
    return toPage(rows, limit, (t) => toTranscriptionListItem(t), (t) => ({ created_at: t.createdAt.toISOString(), id: t.id }));
  }

  /** Ranked full-text search; a query of stop words only parses to nothing and finds nothing. */
  async search(ownerId: string, q: string, limit: number, cursor?: string): Promise<Page<TranscriptionListItemDto>> {
    if (q.trim() === '') throw TranscriptionsError.emptyQuery();
    // Its values reach SQL casts: a forged cursor must be a 422, not a database error.
    const after = decodeCursor<SearchCursor & Record<string, string | number>>(cursor, { rank: 'number', created_at: 'instant', id: 'uuid' });
    const hits = await this.transcriptions.search(ownerId, q, limit + 1, after);
    const items = hits.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((h) => toTranscriptionListItem(h.transcription, h)),
      next_cursor:
        hits.length > limit && last
          ? encodeCursor({ rank: last.rank, created_at: last.transcription.createdAt.toISOString(), id: last.transcription.id })
          : null,
    };
  }

  /** Removes the row (text, segments, words) and then its audio; refused while a worker is on it. */
  async deleteTranscription(ownerId: string, id: string): Promise<void> {
    if (!TRANSCRIPTIONS_WORKLOAD.isValidId(id)) throw TranscriptionsError.notFound(id);
    const deleted = await this.transcriptions.deleteUnlessProcessing(ownerId, id);
    if (deleted === null) throw TranscriptionsError.notFound(id);
    if (deleted === 'processing') throw TranscriptionsError.processing(id);
    // The row is gone first, so a crash here leaves an orphan object, never a row without its audio.
    await this.storage.delete(deleted.objectKey).catch((error: Error) =>
      this.logger.warn(`transcription ${id} deleted but its audio ${deleted.objectKey} was not: ${error.message}`),
    );
  }
}
