import type { INestApplicationContext, Type } from '@nestjs/common';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { MessagingModule, type MessagingOptions } from '../../src/core/messaging/messaging.module';
import { messagingMicroservice } from '../../src/core/messaging/messaging.server';

/**
 * A tiny app with MessagingModule and the given consumer controllers, booted the way the worker
 * is: a Nest microservice on MessagingServer when `consume` is set (resolves once the consumers
 * are attached), a plain application context otherwise (API-only: publish, no consumers).
 */
export async function startMessagingApp(options: MessagingOptions, controllers: Type[] = []): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: [MessagingModule.forRoot(options)], controllers }).compile();
  if (!options.consume) return moduleRef.init();
  const app = moduleRef.createNestMicroservice<AsyncMicroserviceOptions>(messagingMicroservice());
  try {
    await app.listen();
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
