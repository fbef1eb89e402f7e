import { createServer, Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { register } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { ReadinessService } from './readiness.service';

/**
 * The worker's only HTTP surface: /health/live, /health/ready and /metrics on
 * WORKER_HEALTH_PORT. A bare node:http server, so no feature controller is ever reachable on a
 * worker.
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHealth');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((req, res) => {
      const send = (status: number, body: string, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') return send(405, JSON.stringify({ status: 405, code: 'METHOD_NOT_ALLOWED' }));
      if (path === '/health/live') return send(200, JSON.stringify({ status: 'ok' }));
      if (path === '/health/ready') {
        return void this.readiness.check().then(
          ({ ok, result }) => send(ok ? 200 : 503, JSON.stringify(result)),
          (error: unknown) => send(503, JSON.stringify({ status: 'error', message: String(error) })),
        );
      }
      if (path === '/metrics') return void register.metrics().then((text) => send(200, text, register.contentType));
      send(404, JSON.stringify({ status: 404, code: 'NOT_FOUND' }));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.worker.healthPort, () => resolve());
    });
    this.logger.log(`health and metrics on http://localhost:${this.config.worker.healthPort}/health/ready`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
