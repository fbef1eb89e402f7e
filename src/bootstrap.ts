import { Logger as NestLogger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroserviceOptions } from '@nestjs/common/interfaces/microservices/nest-microservice-options.interface';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { SettingsError } from './core/config/settings';
import { EmbeddedDatabase, startEmbeddedPostgres } from './core/database/embedded-postgres';
import { configureHttp } from './core/http/configure-http';
import { messagingMicroservice, startConsumersIn } from './core/messaging/messaging.server';
import { WorkerModule } from './worker.module';

export type ProcessMode = 'api' | 'worker' | 'all-in-one';

function readConfig(mode: ProcessMode): AppConfig {
  try {
    const config = AppConfig.fromEnvironment();
    // Split processes only meet through a shared database and broker; the embedded ones live
    // inside a single process.
    if (mode !== 'all-in-one' && (!config.database.url || !config.rabbitmqUrl)) {
      throw new SettingsError([
        `DATABASE_URL and RABBITMQ_URL: required for "${mode}" mode (use \`npm start\` for the all-in-one embedded default)`,
      ]);
    }
    return config;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

/** Boots one of the three processes and shuts it down gracefully on SIGTERM / SIGINT. */
export async function bootstrap(mode: ProcessMode): Promise<void> {
  const base = readConfig(mode);
  const logger = new NestLogger('Bootstrap');
  let embedded: EmbeddedDatabase | undefined;
  let app: INestApplicationContext | undefined;
  let stopping = false;

  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.log(`stopping (${reason})`);
    try {
      await app?.close();
      await embedded?.stop();
    } catch (error) {
      logger.error(`unclean shutdown: ${String(error)}`);
      code = code || 1;
    }
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  try {
    embedded = base.database.url ? undefined : await startEmbeddedPostgres(base.database.embeddedDir);
    const config = embedded ? base.withDatabaseUrl(embedded.url) : base;
    if (mode === 'worker') {
      // A Nest microservice, no HTTP app: feature routes must never be reachable on a worker.
      const worker = await NestFactory.createMicroservice<NestMicroserviceOptions & AsyncMicroserviceOptions>(WorkerModule.register(config), {
        bufferLogs: true,
        ...messagingMicroservice(),
      });
      app = worker;
      worker.useLogger(worker.get(Logger));
      await worker.listen(); // resolves once the consumers are attached
      logger.log('worker consuming');
      return;
    }
    const http = await NestFactory.create<NestExpressApplication>(AppModule.register(config, { withWorker: mode === 'all-in-one' }), {
      bodyParser: false,
      bufferLogs: true,
    });
    app = http;
    http.useLogger(http.get(Logger));
    configureHttp(http, config);
    if (mode === 'all-in-one') await startConsumersIn(http);
    await http.listen(config.port);
    logger.log(`API on http://localhost:${config.port}/api/v1, docs on http://localhost:${config.port}/docs`);
  } catch (error) {
    logger.error(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await stop('start-up failed', 1);
  }
}
