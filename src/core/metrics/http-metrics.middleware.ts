import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram, register } from 'prom-client';

type Labels = 'method' | 'route' | 'status';

function histogram(): Histogram<Labels> {
  const name = 'horizon_http_request_duration_seconds';
  return (
    (register.getSingleMetric(name) as Histogram<Labels> | undefined) ??
    new Histogram({
      name,
      help: 'HTTP request latency by route template',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.35, 0.5, 1, 2.5, 5, 10],
    })
  );
}

interface Observer {
  observe(value: number): void;
}

const STARTED = Symbol('metricsStartedAt');
const MIDDLEWARE = Symbol('metricsMiddleware');

type MeasuredResponse = Response & { [STARTED]?: number; [MIDDLEWARE]?: HttpMetricsMiddleware };

/**
 * Latency per route template (not per URL, which would explode label cardinality). The labelled
 * child of each (method, route, status) is looked up once and kept: prom-client otherwise hashes a
 * fresh label object on every observation. The 'finish' listener is one shared function (no
 * closure and `once` wrapper per request); the start time is performance.now() (no BigInt).
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly latency = histogram();
  private readonly children = new Map<string, Observer>();

  use(_req: Request, res: MeasuredResponse, next: NextFunction): void {
    res[STARTED] = performance.now();
    res[MIDDLEWARE] = this;
    res.on('finish', onFinish);
    next();
  }

  observe(req: Request, res: Response, seconds: number): void {
    const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
    this.observer(req.method, route, res.statusCode).observe(seconds);
  }

  private observer(method: string, route: string, status: number): Observer {
    const key = `${method} ${status} ${route}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.latency.labels({ method, route, status: String(status) });
      this.children.set(key, child);
    }
    return child;
  }
}

function onFinish(this: MeasuredResponse): void {
  this.removeListener('finish', onFinish);
  this[MIDDLEWARE]!.observe(this.req, this, (performance.now() - this[STARTED]!) / 1000);
}
