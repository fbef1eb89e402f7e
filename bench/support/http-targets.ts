import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { closeOnDisconnect, startBenchApp } from './bench-app';

/**
 * Runs one benchmark target in its own process (so the load generator does not share its
 * event loop) and reports `{port, token?, body}` over IPC.
 *   horizon: the real app on the embedded defaults, with a user and its token
 *   nest:    a minimal Nest on Express app answering the same JSON at the same paths (and
 *            `{"status":"ok"}` at /health/live), no auth
 *   bare:    node:http answering the same JSON the app answers for /users/me
 */
async function main(): Promise<void> {
  const [kind, bodyJson] = process.argv.slice(2);
  if (kind === 'bare') {
    const body = bodyJson ?? '{}';
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
    return;
  }
  if (kind === 'nest') {
    const body = JSON.parse(bodyJson ?? '{}') as object;
    @Controller('api/v1/users')
    class HelloController {
      @Get('me')
      me(): object {
        return body;
      }
    }
    @Controller('health')
    class HelloHealthController {
      @Get('live')
      live(): object {
        return { status: 'ok' };
      }
    }
    @Module({ controllers: [HelloController, HelloHealthController] })
    class HelloModule {}
    const app = await NestFactory.create<NestExpressApplication>(HelloModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    process.send!({ port: (app.getHttpServer().address() as { port: number }).port });
    return;
  }
  const bench = await startBenchApp('http');
  const body = await (await fetch(`${bench.base}/api/v1/users/me`, { headers: { authorization: `Bearer ${bench.token}` } })).text();
  process.send!({ port: bench.port, token: bench.token, body });
  if (process.env.BENCH_CPU_PROF) profileOnRequest(process.env.BENCH_CPU_PROF);
  closeOnDisconnect(bench);
}

/**
 * BENCH_CPU_PROF=<dir>: the parent sends `{profile: name}` before a load phase and `{stop: true}`
 * after it; the phase's CPU profile is written to <dir>/<name>.cpuprofile (startup left out).
 */
function profileOnRequest(dir: string): void {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  let name = '';
  process.on('message', (m: { profile?: string; stop?: boolean }) => {
    void (async () => {
      if (m.profile) {
        name = m.profile;
        await post('Profiler.enable');
        await post('Profiler.start');
      } else if (m.stop) {
        const { profile } = (await post('Profiler.stop')) as { profile: object };
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      }
      process.send!({ ack: true });
    })();
  });
}

void main();
