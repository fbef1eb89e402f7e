import { DomainError } from '../../core/errors/domain-error';

export class TasksError extends DomainError {
  static notFound(id: string): TasksError {
    // Also the answer for another user's task: existence must not leak (DESIGN §1).
    return new TasksError('TASK_NOT_FOUND', `No task with id "${id}".`, { kind: 'not_found' });
  }

  static alreadyUploaded(id: string, status: string): TasksError {
    return new TasksError('TASK_ALREADY_UPLOADED', `Task "${id}" already has its file (status ${status}); create a new task for another file.`, {
      kind: 'conflict',
    });
  }

  static notProcessed(id: string, status: string): TasksError {
    return new TasksError('TASK_NOT_PROCESSED', `Task "${id}" has no result (status ${status}); it is served once the status is processed.`, {
      kind: 'conflict',
    });
  }

  static resultExpired(id: string): TasksError {
    return new TasksError('TASK_RESULT_EXPIRED', `The result of task "${id}" was erased after the retention period; its processing info stays.`, {
      kind: 'gone',
    });
  }

  static unsupportedMedia(detail: string): TasksError {
    return new TasksError('UNSUPPORTED_MEDIA_TYPE', detail, { kind: 'unsupported_media_type' });
  }

  static tooManyPixels(detail: string): TasksError {
    return new TasksError('IMAGE_TOO_LARGE', detail, { kind: 'too_large' });
  }

  static emptyFile(): TasksError {
    return new TasksError('VALIDATION_FAILED', 'The file is empty.', { kind: 'validation', errors: [{ path: 'file', message: 'file is empty' }] });
  }

  static duplicateObjects(duplicates: string[]): TasksError {
    return new TasksError('VALIDATION_FAILED', 'objects must not repeat a type.', {
      kind: 'validation',
      errors: [{ path: 'objects', message: `objects repeats ${duplicates.map((d) => `"${d}"`).join(', ')}` }],
    });
  }

  /** The stored file cannot be anonymised (corrupt, undecodable, over a limit); retrying would not help. */
  static unprocessable(reason: string): TasksError {
    return new TasksError('TASK_UNPROCESSABLE', reason, { kind: 'bad_request', retryable: false });
  }

  /** Fails closed: without a detector nothing is returned as anonymised. */
  static engineUnavailable(reason: string): TasksError {
    return new TasksError('TASK_ENGINE_UNAVAILABLE', `The anonymisation engine is not available: ${reason}`, { kind: 'unavailable', retryable: false });
  }

  /** A processed task whose result object is gone from storage (removed by hand, a lost bucket): ours, not the client's. */
  static resultMissing(id: string): TasksError {
    return new TasksError('TASK_RESULT_MISSING', `The anonymised file of task ${id} is missing from storage; upload the file to a new task.`, {
      kind: 'unavailable',
      retryable: false,
    });
  }
}
