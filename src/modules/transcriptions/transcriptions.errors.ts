import { DomainError } from '../../core/errors/domain-error';

export class TranscriptionsError extends DomainError {
  static notFound(id: string): TranscriptionsError {
    // Also the answer for another user's transcription: existence must not leak (DESIGN §1).
    return new TranscriptionsError('TRANSCRIPTION_NOT_FOUND', `No transcription with id "${id}".`, { kind: 'not_found' });
  }

  static processing(id: string): TranscriptionsError {
    return new TranscriptionsError('TRANSCRIPTION_PROCESSING', `Transcription "${id}" is being processed; delete it once it has finished.`, {
      kind: 'conflict',
    });
  }

  static notAudio(): TranscriptionsError {
    return new TranscriptionsError('UNSUPPORTED_MEDIA_TYPE', 'The file is not WAV, MP3, Ogg or FLAC audio (checked by its first bytes).', {
      kind: 'unsupported_media_type',
    });
  }

  static emptyFile(): TranscriptionsError {
    return new TranscriptionsError('VALIDATION_FAILED', 'The file is empty.', {
      kind: 'validation',
      errors: [{ path: 'file', message: 'file is empty' }],
    });
  }

  static unsupportedLanguage(language: string, supported: readonly string[]): TranscriptionsError {
    return new TranscriptionsError('VALIDATION_FAILED', `Language "${language.slice(0, 32)}" is not supported; use one of: ${supported.join(', ')}.`, {
      kind: 'validation',
      errors: [{ path: 'language', message: `language must be one of: ${supported.join(', ')}` }],
    });
  }

  static emptyQuery(): TranscriptionsError {
    return new TranscriptionsError('VALIDATION_FAILED', 'The search query is empty.', {
      kind: 'validation',
      errors: [{ path: 'q', message: 'q must contain at least one non-space character' }],
    });
  }

  /** The audio cannot be transcribed (corrupt, too long, no engine); retrying gives the same answer. */
  static unprocessable(reason: string): TranscriptionsError {
    return new TranscriptionsError('TRANSCRIPTION_UNPROCESSABLE', reason.slice(0, 1000), { kind: 'bad_request', retryable: false });
  }
}
