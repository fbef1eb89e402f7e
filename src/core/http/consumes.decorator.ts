import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';

const CONSUMES = 'horizon:consumes';

/** The request body types a route accepts; routes without it take `application/json`. */
export const Consumes = (...types: string[]) => SetMetadata(CONSUMES, types);

/** Answers 415 for a body of a type the route does not take, instead of a confusing 422. */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return true;
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return true;
    const accepted = this.reflector.getAllAndOverride<string[]>(CONSUMES, [context.getHandler(), context.getClass()]) ?? [
      'application/json',
    ];
    if (req.is(accepted)) return true;
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${req.headers['content-type'] ?? '(none)'} is not accepted here; send ${accepted.join(' or ')}.`,
      { kind: 'unsupported_media_type' },
    );
  }
}
