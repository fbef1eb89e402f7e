import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands a message handler's error back to the transport strategy untouched. Nest's default RPC
 * filter would log it and replace it with `{ status: 'error', message: 'Internal server error' }`,
 * and the retry / dead-letter decision (messaging.errors.ts `classifyFailure`) needs the real
 * error class. The strategy attaches it to every consumer class as its lowest-priority filter, so a
 * filter the consumer declares still wins.
 */
@Catch()
export class KeepMessageErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
