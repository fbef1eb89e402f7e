import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { register } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../errors/domain-error';
import { Public } from '../http/access.decorators';

// Hashing both sides first makes the comparison constant-time whatever the lengths.
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Prometheus metrics on the API. Open in development; with METRICS_TOKEN only for a scraper that
 * sends it as a bearer token; in production without one, not served here at all (workers serve
 * /metrics on their health port, which is not exposed publicly).
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @Header('Content-Type', register.contentType)
  async getMetrics(@Req() req: Request): Promise<string> {
    const access = this.config.metricsAccess;
    if (access.mode === 'closed') throw new DomainError('NOT_FOUND', 'Cannot GET /metrics', { kind: 'not_found' });
    if (access.mode === 'token') {
      const [scheme, token] = (req.headers.authorization ?? '').split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token || !sameSecret(token, access.token)) {
        throw new DomainError('UNAUTHORIZED', 'Send the METRICS_TOKEN as a bearer token to read metrics.', { kind: 'unauthorized' });
      }
    }
    return register.metrics();
  }
}
