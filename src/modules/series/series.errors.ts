import { DomainError, FieldError } from '../../core/errors/domain-error';

export class SeriesError extends DomainError {
  static notFound(id: string): SeriesError {
    // Also the answer for another user's series: existence must not leak (DESIGN §1).
    return new SeriesError('SERIES_NOT_FOUND', `No series with id "${id}".`, { kind: 'not_found' });
  }

  static tooManyPoints(count: number | string, max: number): SeriesError {
    return new SeriesError('SERIES_TOO_LARGE', `The series has ${count} points; at most ${max} are accepted.`, { kind: 'too_large' });
  }

  static invalid(errors: FieldError[], truncated: boolean): SeriesError {
    const detail = truncated
      ? `The series is invalid; the first ${errors.length} problems are listed.`
      : `The series has ${errors.length} problem${errors.length === 1 ? '' : 's'}.`;
    return new SeriesError('VALIDATION_FAILED', detail, { kind: 'validation', errors });
  }

  /** The forecast method cannot be fitted to this series (too short, no season). */
  static notForecastable(detail: string, path = 'method'): SeriesError {
    return new SeriesError('SERIES_NOT_FORECASTABLE', detail, { kind: 'validation', errors: [{ path, message: detail }] });
  }
}
