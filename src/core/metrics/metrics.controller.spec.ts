import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { MetricsController } from './metrics.controller';

const request = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as Request;
const controller = (env: Record<string, string>) => new MetricsController(AppConfig.from({ DATA_DIR: '/tmp/horizon-metrics-spec', ...env }));

describe('MetricsController', () => {
  it('is open in development without METRICS_TOKEN', async () => {
    await expect(controller({}).getMetrics(request())).resolves.toEqual(expect.any(String));
  });

  it('with METRICS_TOKEN answers only a scraper that sends it', async () => {
    const metrics = controller({ METRICS_TOKEN: 'scrape-me-please-0123' });
    await expect(metrics.getMetrics(request())).rejects.toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthorized' });
    await expect(metrics.getMetrics(request('Bearer wrong'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(metrics.getMetrics(request('Bearer scrape-me-please-0123'))).resolves.toEqual(expect.any(String));
  });

  it('is not served on the API in production without a token', async () => {
    const metrics = controller({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://x/y', RABBITMQ_URL: 'amqp://x' });
    await expect(metrics.getMetrics(request())).rejects.toMatchObject({ code: 'NOT_FOUND', kind: 'not_found' });
  });
});
