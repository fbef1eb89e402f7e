import { DomainError } from '../../core/errors/domain-error';

export class JobsError extends DomainError {
  static notFound(id: string): JobsError {
    // Also the answer for another user's job: existence must not leak (DESIGN §1).
    return new JobsError('JOB_NOT_FOUND', `No job with id "${id}".`, { kind: 'not_found' });
  }

  static processing(id: string): JobsError {
    return new JobsError('JOB_PROCESSING', `Job "${id}" is being processed; delete it once it has finished.`, { kind: 'conflict' });
  }

  static expired(id: string): JobsError {
    return new JobsError('JOB_EXPIRED', `The file, entries and rejections of job "${id}" were erased after the retention period; its counts stay.`, {
      kind: 'gone',
    });
  }

  static notJsonl(fileName: string): JobsError {
    return new JobsError('UNSUPPORTED_MEDIA_TYPE', `"${fileName.slice(0, 100)}" is not a .jsonl file.`, { kind: 'unsupported_media_type' });
  }

  static notText(): JobsError {
    return new JobsError('UNSUPPORTED_MEDIA_TYPE', 'The file is not UTF-8 text (it has NUL bytes or invalid UTF-8).', {
      kind: 'unsupported_media_type',
    });
  }

  static emptyFile(): JobsError {
    return new JobsError('VALIDATION_FAILED', 'The file is empty.', { kind: 'validation', errors: [{ path: 'file', message: 'file is empty' }] });
  }

  /** The stored file cannot be ingested at all; retrying would not help. */
  static unprocessable(reason: string): JobsError {
    return new JobsError('JOB_UNPROCESSABLE', reason, { kind: 'bad_request', retryable: false });
  }
}
