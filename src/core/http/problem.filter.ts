import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { internalProblem, sendProblem, toProblem } from './problem';

/** The one place an HTTP error becomes a response: problem+json, never a stack or SQL. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const requestId = String(req.id ?? '');
    const known = toProblem(error);
    if (!known) {
      this.logger.error({ err: error, request_id: requestId, method: req.method, url: req.originalUrl }, 'unhandled error');
    }
    const retryAfterS = error instanceof DomainError ? error.options.retryAfterS : undefined;
    if (retryAfterS !== undefined && !res.headersSent) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterS))));
    sendProblem(res, { ...(known ?? internalProblem()), request_id: requestId });
  }
}
